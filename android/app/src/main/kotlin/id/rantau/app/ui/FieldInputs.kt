package id.rantau.app.ui

import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.selection.toggleable
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Checkbox
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDialog
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.focus.onFocusChanged
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.rantau.app.Photos
import id.rantau.app.R
import id.rantau.core.AttachmentInfo
import id.rantau.core.ChoiceItem
import id.rantau.core.FieldSlot
import id.rantau.core.Issue
import id.rantau.core.Keyboard
import id.rantau.core.Kind
import id.rantau.core.Severity
import id.rantau.dayOfPickerMillis
import id.rantau.core.FieldInput
import id.rantau.pickerMillisOfDay

/** One field instance of the core's form screen, drawn by its kind, with its help and the issues the core shows now. */
@Composable
fun FieldInputView(slot: FieldSlot, countries: Countries, act: Act) {
    Column(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        when (slot.kind) {
            Kind.NOTE -> {
                Text(slot.label, style = MaterialTheme.typography.titleSmall)
                slot.help?.let { Text(it) }
            }
            Kind.TEXT, Kind.NUMBER, Kind.PHONE, Kind.EMAIL, Kind.NIK, Kind.PASSPORT, Kind.KPJ -> TextInput(slot, act)
            Kind.DATE -> DateInput(slot, act)
            // The whole row is the target (label included), announced as one checkbox or
            // radio button; the control inside takes no click of its own.
            Kind.CONSENT -> Row(
                Modifier.fillMaxWidth().toggleable(
                    value = slot.checked,
                    role = Role.Checkbox,
                    onValueChange = { on -> act { input(slot.path, FieldInput.Bool(on)) } },
                ),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(checked = slot.checked, onCheckedChange = null)
                Text(label(slot))
            }
            Kind.SINGLE_CHOICE -> {
                Text(label(slot))
                Column(Modifier.selectableGroup()) {
                    for (c in slot.choices) Row(
                        Modifier.fillMaxWidth().heightIn(min = 48.dp).selectable(
                            selected = c.selected,
                            role = Role.RadioButton,
                            onClick = { act { input(slot.path, FieldInput.Text(c.value)) } },
                        ),
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        RadioButton(selected = c.selected, onClick = null)
                        Text(c.label)
                    }
                }
            }
            Kind.MULTI_CHOICE -> {
                Text(label(slot))
                val picked = slot.choices.filter { it.selected }.map { it.value }
                for (c in slot.choices) Row(
                    Modifier.fillMaxWidth().heightIn(min = 48.dp).toggleable(
                        value = c.selected,
                        role = Role.Checkbox,
                        onValueChange = { on ->
                            act { input(slot.path, FieldInput.Picked(if (on) picked + c.value else picked - c.value)) }
                        },
                    ),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    Checkbox(checked = c.selected, onCheckedChange = null)
                    Text(c.label)
                }
            }
            Kind.COUNTRY -> CountryInput(slot, if (slot.destinationsOnly) countries.destinations else countries.all, act)
            Kind.REPEAT -> {
                Text(label(slot), style = MaterialTheme.typography.titleSmall)
                for (item in slot.items) {
                    Text(item.title, style = MaterialTheme.typography.labelLarge)
                    for (sub in item.fields) FieldInputView(sub, countries, act)
                    if (item.canRemove) {
                        TextButton(onClick = { act { removeItem(slot.path, item.index) } }) { Text(stringResource(R.string.remove)) }
                    }
                }
                if (slot.canAddItem) {
                    OutlinedButton(onClick = { act { addItem(slot.path) } }) {
                        Text(stringResource(R.string.add_item, slot.itemLabel ?: slot.label))
                    }
                }
            }
            Kind.DOCUMENT -> DocumentInput(slot, act)
        }
        if (slot.kind != Kind.NOTE) slot.help?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        for (issue in slot.issues) IssueText(issue)
    }
}

/** One message of the core: an error in the error colour, a warning in the tertiary one. */
@Composable
fun IssueText(issue: Issue) {
    Text(
        issue.message,
        color = if (issue.severity == Severity.ERROR) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.tertiary,
        style = MaterialTheme.typography.bodySmall,
        // TalkBack reads a message as it appears (an error must not need the finger to find it).
        modifier = Modifier.semantics {
            liveRegion = if (issue.severity == Severity.ERROR) LiveRegionMode.Assertive else LiveRegionMode.Polite
        },
    )
}

private fun label(slot: FieldSlot) = if (slot.required) "${slot.label} *" else slot.label

/** The keyboard the core asks for. Free text capitalises sentences, not every word: addresses and names of places are typed as written; only a person's name capitalises every word. */
private fun keyboardOptions(keyboard: Keyboard): KeyboardOptions = when (keyboard) {
    Keyboard.TEXT -> KeyboardOptions(capitalization = KeyboardCapitalization.Sentences)
    Keyboard.NAME -> KeyboardOptions(capitalization = KeyboardCapitalization.Words)
    Keyboard.DIGITS -> KeyboardOptions(keyboardType = KeyboardType.Number)
    Keyboard.DECIMAL -> KeyboardOptions(keyboardType = KeyboardType.Decimal)
    Keyboard.PHONE -> KeyboardOptions(keyboardType = KeyboardType.Phone)
    Keyboard.EMAIL -> KeyboardOptions(keyboardType = KeyboardType.Email)
    Keyboard.CAPITALS -> KeyboardOptions(capitalization = KeyboardCapitalization.Characters, keyboardType = KeyboardType.Ascii)
}

/**
 * Typed kinds. While the box has focus it keeps what the worker typed (the core
 * may store it normalized); each change is saved at once, so nothing is lost if the
 * phone dies mid-form. Losing focus tells the core the field was left, which is when
 * its messages may appear.
 */
@Composable
private fun TextInput(slot: FieldSlot, act: Act) {
    var text by remember(slot.path) { mutableStateOf(slot.text) }
    var focused by remember(slot.path) { mutableStateOf(false) }
    // Out of focus the box follows the core: removing an item moves the next one's values up.
    LaunchedEffect(slot.text, focused) { if (!focused) text = slot.text }
    OutlinedTextField(
        value = text,
        onValueChange = { new ->
            val typed = slot.maxLength?.let { new.take(it.toInt()) } ?: new
            text = typed
            act { setText(slot.path, typed) }
        },
        label = { Text(label(slot)) },
        isError = slot.hasError,
        singleLine = !slot.multiline,
        keyboardOptions = keyboardOptions(slot.keyboard),
        modifier = Modifier.fillMaxWidth().onFocusChanged { state ->
            if (focused && !state.isFocused) act { leave(slot.path) }
            focused = state.isFocused
        },
    )
}

/** A date from the picker; the field shows it as the core writes it ([FieldSlot.display]). */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun DateInput(slot: FieldSlot, act: Act) {
    var open by remember { mutableStateOf(false) }
    Text(label(slot))
    OutlinedButton(onClick = { open = true }) { Text(slot.display ?: stringResource(R.string.choose)) }
    if (open) {
        val picker = rememberDatePickerState(initialSelectedDateMillis = pickerMillisOfDay(slot.text))
        DatePickerDialog(
            onDismissRequest = { open = false },
            confirmButton = {
                TextButton(onClick = {
                    open = false
                    picker.selectedDateMillis?.let { ms -> act { input(slot.path, FieldInput.Text(dayOfPickerMillis(ms))) } }
                }) { Text(stringResource(R.string.ok)) }
            },
            dismissButton = { TextButton(onClick = { open = false }) { Text(stringResource(R.string.cancel)) } },
        ) { DatePicker(state = picker) }
    }
}

/** A country from the list the profile offers for this field; shows the chosen country's name. */
@Composable
private fun CountryInput(slot: FieldSlot, countries: List<ChoiceItem>, act: Act) {
    var open by remember { mutableStateOf(false) }
    Text(label(slot))
    Box {
        OutlinedButton(onClick = { open = true }) { Text(slot.display ?: stringResource(R.string.choose)) }
        DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            for (c in countries) {
                DropdownMenuItem(text = { Text(c.label) }, onClick = {
                    open = false
                    act { input(slot.path, FieldInput.Text(c.value)) }
                })
            }
        }
    }
}

/** Camera or file for a document page; photos are shrunk on the phone before they are stored. */
@Composable
private fun DocumentInput(slot: FieldSlot, act: Act) {
    val context = LocalContext.current
    // Every document field carries its plan (the core decides how far each document shrinks).
    val plan = slot.photo ?: return
    // Saveable: the camera often outlives the activity (rotation, low memory), and the
    // result must still find its file. Lost or not, the capture is deleted on return.
    var pending by rememberSaveable { mutableStateOf<Uri?>(null) }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        val uri = pending
        pending = null
        Photos.takeCapture(context, uri, ok, plan)?.let { bytes -> act { attach(slot.path, bytes, "image/jpeg") } }
    }
    val file = rememberLauncherForActivityResult(ActivityResultContracts.GetContent()) { uri ->
        if (uri != null) Photos.read(context, uri, plan)?.let { (bytes, mime) -> act { attach(slot.path, bytes, mime) } }
    }
    // The page being looked at, with its bytes (read from the profile when asked).
    var preview by remember(slot.path) { mutableStateOf<Pair<AttachmentInfo, ByteArray>?>(null) }
    Text(label(slot))
    for (p in slot.attachments) Row(verticalAlignment = Alignment.CenterVertically) {
        val state = if (p.uploaded) stringResource(R.string.page_uploaded) else stringResource(R.string.page_waiting)
        Text(stringResource(R.string.document_page, p.page.toInt() + 1, (p.size / 1024u).toLong(), state), Modifier.weight(1f))
        // An uploaded page may already be released from the phone: nothing to show.
        if (!p.uploaded) TextButton(onClick = { act { preview = p to pageBytes(p.id) } }) { Text(stringResource(R.string.view_page)) }
        TextButton(onClick = { act { removeAttachment(slot.path, p.id) } }) { Text(stringResource(R.string.remove)) }
    }
    preview?.let { (page, bytes) ->
        PagePreview(page, bytes, onDismiss = { preview = null }, onRemove = {
            preview = null
            act { removeAttachment(slot.path, page.id) }
        })
    }
    if (slot.canAttach) Row {
        OutlinedButton(onClick = {
            val uri = Photos.newCaptureUri(context)
            pending = uri
            camera.launch(uri)
        }) { Text(stringResource(R.string.take_photo)) }
        TextButton(onClick = { file.launch("*/*") }) { Text(stringResource(R.string.choose_file)) }
    }
}

/** One page as it will be sent: the photo (or, for a PDF, its size), with remove. */
@Composable
private fun PagePreview(page: AttachmentInfo, bytes: ByteArray, onDismiss: () -> Unit, onRemove: () -> Unit) {
    val image = remember(bytes) { Photos.preview(bytes) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.page_title, page.page.toInt() + 1)) },
        text = {
            if (image != null) {
                Image(image, contentDescription = stringResource(R.string.page_title, page.page.toInt() + 1), Modifier.fillMaxWidth())
            } else {
                Text(stringResource(R.string.page_not_an_image, (page.size / 1024u).toLong()))
            }
        },
        confirmButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.close)) } },
        dismissButton = { TextButton(onClick = onRemove) { Text(stringResource(R.string.remove)) } },
    )
}
