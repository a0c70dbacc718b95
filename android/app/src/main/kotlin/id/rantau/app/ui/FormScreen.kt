package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.FinalizeOutcome
import id.rantau.FormSession
import id.rantau.FormUi
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.ffi.RantauException
import id.rantau.formatRupiah
import kotlinx.coroutines.launch

/**
 * The generic form renderer: whatever form the core defines (registration,
 * consultation, data update) is drawn from its `FormView`, page by page, with the
 * core's messages under each field as the user types. Every keystroke is saved.
 */
@Composable
fun FormScreen(app: Rantau, formId: String?, draftId: String?, onDone: (queued: Boolean) -> Unit) {
    var session by remember { mutableStateOf<FormSession?>(null) }
    var failure by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(formId, draftId) {
        session = try {
            when {
                draftId != null -> FormSession.resume(app, draftId)
                formId != null -> FormSession.start(app, formId)
                else -> null
            }
        } catch (e: RantauException) {
            failure = e.message
            null
        }
    }
    val s = session
    if (s == null) {
        Page(stringResource(R.string.app_name), onBack = { onDone(false) }) {
            failure?.let { Text(it, color = MaterialTheme.colorScheme.error) } ?: LinearProgressIndicator()
        }
        return
    }
    val ui by s.state.collectAsState()
    val scope = rememberCoroutineScope()
    Page(ui.form.title, onBack = { onDone(false) }) {
        val page = ui.form.pages[ui.page]
        Text(stringResource(R.string.page_of, ui.page + 1, ui.pageCount) + " · " + page.title, style = MaterialTheme.typography.titleMedium)
        LinearProgressIndicator(progress = { (ui.page + 1f) / ui.pageCount }, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp))
        LazyColumn(Modifier.weight(1f)) {
            items(ui.slots(), key = { it.path }) { slot ->
                FieldInputView(
                    slot = slot,
                    ui = ui,
                    onInput = { path, input -> scope.launch { s.set(path, input) } },
                    onAddItem = { group -> s.addItem(group) },
                    onRemoveItem = { group, index -> scope.launch { s.removeItem(group, index) } },
                    onAttach = { field, bytes, mime -> scope.launch { runCatching { s.attach(field, bytes, mime) } } },
                )
            }
            if (ui.isLastPage) item { Summary(ui) }
        }
        for (issue in ui.formIssues) Text(issue.message, color = MaterialTheme.colorScheme.error)
        Row(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
            if (ui.page > 0) OutlinedButton(onClick = { scope.launch { s.previous() } }) { Text(stringResource(R.string.previous)) }
            Column(Modifier.weight(1f)) {}
            if (!ui.isLastPage) {
                Button(onClick = { scope.launch { s.next() } }) { Text(stringResource(R.string.next)) }
            } else {
                Button(onClick = {
                    scope.launch { if (s.finalize() is FinalizeOutcome.Queued) onDone(true) }
                }) { Text(stringResource(R.string.finalize)) }
            }
        }
    }
}

/** Before finalize: the contribution due, and how many problems remain. */
@Composable
private fun Summary(ui: FormUi) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(stringResource(R.string.summary), style = MaterialTheme.typography.titleMedium)
            ui.contribution?.let { fee ->
                Text(stringResource(R.string.fee_pre_placement, formatRupiah(fee.prePlacement)))
                Text(stringResource(R.string.fee_placement, formatRupiah(fee.placement)))
                if (fee.jhtMonthly > 0u) Text(stringResource(R.string.fee_jht, formatRupiah(fee.jhtMonthly)))
                Text(stringResource(R.string.fee_total, formatRupiah(fee.totalDue)), style = MaterialTheme.typography.titleMedium)
                if (fee.estimate) Text(stringResource(R.string.fee_estimate))
            }
            val errors = (0 until ui.pageCount).sumOf { ui.errorsOn(it) }
            if (errors > 0) Text(stringResource(R.string.errors_left, errors), color = MaterialTheme.colorScheme.error)
        }
    }
}
