package id.rantau.app.ui

import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.rantau.FieldSlot
import id.rantau.FormUi
import id.rantau.app.Photos
import id.rantau.app.R
import id.rantau.ffi.AnswerValue
import id.rantau.ffi.FieldInput
import id.rantau.ffi.FieldKind
import id.rantau.core.Severity

/** One field of any kind, with its messages under it. */
@Composable
fun FieldInputView(
    slot: FieldSlot,
    ui: FormUi,
    onInput: (String, FieldInput) -> Unit,
    onAddItem: (String) -> Int,
    onRemoveItem: (String, Int) -> Unit,
    onAttach: (String, ByteArray, String?) -> Unit,
) {
    val f = slot.field
    Column(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        when (f.kind) {
            FieldKind.NOTE -> {
                Text(f.label, style = MaterialTheme.typography.titleSmall)
                f.help?.let { Text(it) }
            }
            FieldKind.CONSENT -> Row(verticalAlignment = Alignment.CenterVertically) {
                Checkbox(checked = (slot.value as? AnswerValue.Bool)?.value == true, onCheckedChange = { onInput(slot.path, FieldInput.Bool(it)) })
                Text(label(f.label, f.required))
            }
            FieldKind.SINGLE_CHOICE, FieldKind.COUNTRY -> {
                Text(label(f.label, f.required))
                val chosen = (slot.value as? AnswerValue.Text)?.value
                for (c in f.choices) Row(verticalAlignment = Alignment.CenterVertically) {
                    RadioButton(selected = chosen == c.value, onClick = { onInput(slot.path, FieldInput.Text(c.value)) })
                    Text(c.label)
                }
            }
            FieldKind.MULTI_CHOICE -> {
                Text(label(f.label, f.required))
                val picked = (slot.value as? AnswerValue.Picked)?.values.orEmpty()
                for (c in f.choices) Row(verticalAlignment = Alignment.CenterVertically) {
                    Checkbox(checked = c.value in picked, onCheckedChange = { on ->
                        onInput(slot.path, FieldInput.Picked(if (on) picked + c.value else picked - c.value))
                    })
                    Text(c.label)
                }
            }
            FieldKind.REPEAT -> {
                Text(label(f.label, f.required), style = MaterialTheme.typography.titleSmall)
                slot.items.forEachIndexed { i, item ->
                    Text("${f.itemLabel ?: f.label} ${i + 1}", style = MaterialTheme.typography.labelLarge)
                    for (sub in item) FieldInputView(sub, ui, onInput, onAddItem, onRemoveItem, onAttach)
                    TextButton(onClick = { onRemoveItem(f.id, i) }) { Text(stringResource(R.string.remove_item)) }
                }
                val full = f.maxItems?.let { slot.items.size >= it.toInt() } ?: false
                if (!full) OutlinedButton(onClick = { onAddItem(f.id) }) { Text(stringResource(R.string.add_item, f.itemLabel ?: f.label)) }
            }
            FieldKind.DOCUMENT -> DocumentInput(slot, ui, onAttach)
            else -> TextInput(slot, onInput)
        }
        f.help?.takeIf { f.kind != FieldKind.NOTE }?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        for (issue in slot.issues) {
            Text(
                issue.message,
                color = if (issue.severity == Severity.ERROR) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.tertiary,
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}

private fun label(text: String, required: Boolean) = if (required) "$text *" else text

/**
 * Text-like kinds. The field keeps what the user typed while they type; the core
 * stores it (normalized once valid) on every change, so nothing is lost if the
 * phone dies mid-form.
 */
@Composable
private fun TextInput(slot: FieldSlot, onInput: (String, FieldInput) -> Unit) {
    val f = slot.field
    val stored = when (val v = slot.value) {
        is AnswerValue.Text -> v.value
        is AnswerValue.Number -> if (f.integer) v.value.toLong().toString() else v.value.toString()
        else -> ""
    }
    var text by remember(slot.path) { mutableStateOf(stored) }
    val keyboard = when (f.kind) {
        FieldKind.NUMBER -> KeyboardOptions(keyboardType = KeyboardType.Number)
        FieldKind.PHONE -> KeyboardOptions(keyboardType = KeyboardType.Phone)
        FieldKind.EMAIL -> KeyboardOptions(keyboardType = KeyboardType.Email)
        FieldKind.NIK, FieldKind.KPJ -> KeyboardOptions(keyboardType = KeyboardType.Number)
        FieldKind.PASSPORT -> KeyboardOptions(capitalization = KeyboardCapitalization.Characters)
        FieldKind.DATE -> KeyboardOptions(keyboardType = KeyboardType.Number)
        else -> KeyboardOptions(capitalization = KeyboardCapitalization.Words)
    }
    OutlinedTextField(
        value = text,
        onValueChange = { new ->
            text = f.maxLength?.let { new.take(it.toInt()) } ?: new
            onInput(slot.path, if (text.isBlank()) FieldInput.Clear else FieldInput.Text(text))
        },
        label = { Text(label(f.label, f.required)) },
        placeholder = if (f.kind == FieldKind.DATE) ({ Text(stringResource(R.string.date_hint)) }) else null,
        isError = slot.hasError,
        singleLine = !f.multiline,
        keyboardOptions = keyboard,
        modifier = Modifier.fillMaxWidth(),
    )
}

/** Camera or file for a document page; photos are shrunk on the phone before they are stored. */
@Composable
private fun DocumentInput(slot: FieldSlot, ui: FormUi, onAttach: (String, ByteArray, String?) -> Unit) {
    val f = slot.field
    val context = LocalContext.current
    // Saveable: the camera often outlives the activity (rotation, low memory), and the
    // result must still find its file. Lost or not, the capture is deleted on return.
    var pending by rememberSaveable { mutableStateOf<Uri?>(null) }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        val uri = pending
        pending = null
        Photos.takeCapture(context, uri, ok)?.let { onAttach(f.id, it, "image/jpeg") }
    }
    val file = rememberLauncherForActivityResult(ActivityResultContracts.GetContent()) { uri ->
        if (uri != null) Photos.read(context, uri)?.let { (bytes, mime) -> onAttach(f.id, bytes, mime) }
    }
    Text(label(f.label, f.required))
    val pages = ui.documents[slot.path].orEmpty()
    for (p in pages) {
        val state = if (p.uploaded) stringResource(R.string.page_uploaded) else stringResource(R.string.page_waiting)
        Text(stringResource(R.string.document_page, p.page.toInt() + 1, (p.size / 1024u).toLong(), state))
    }
    val full = f.maxPages?.let { pages.size >= it.toInt() } ?: false
    if (!full) Row {
        OutlinedButton(onClick = {
            val uri = Photos.newCaptureUri(context)
            pending = uri
            camera.launch(uri)
        }) { Text(stringResource(R.string.take_photo)) }
        TextButton(onClick = { file.launch("*/*") }) { Text(stringResource(R.string.choose_file)) }
    }
}
