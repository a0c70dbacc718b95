package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.code
import id.rantau.app.R
import id.rantau.core.OutboxItem
import id.rantau.core.Bucket
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch

/**
 * Every finalized form and where it is; a rejected one can be fixed and sent again, one
 * that failed many times can be sent again as it is, one not sent yet can be taken back.
 */
@Composable
fun OutboxScreen(app: Rantau, onFix: (draftId: String) -> Unit, onBack: () -> Unit) {
    val outbox by remember(app) { app.outboxFlow() }.collectAsState(initial = emptyList())
    val scope = rememberCoroutineScope()
    var failure by remember { mutableStateOf<String?>(null) }
    // One action at a time; a refusal (e.g. a sync took the form on its way meanwhile)
    // is shown in the worker's language, never thrown.
    val act: (suspend () -> Unit) -> Unit = { action ->
        scope.launch {
            failure = try {
                action()
                null
            } catch (e: RantauException) {
                errorMessage(e.code, app.language())
            }
        }
    }
    ListPage(stringResource(R.string.outbox), onBack = onBack) {
        failure?.let { ErrorText(it) }
        if (outbox.isEmpty()) Text(stringResource(R.string.outbox_empty))
        LazyColumn {
            items(outbox.reversed(), key = { it.id }) { item ->
                OutboxRow(
                    item,
                    onFix = { act { onFix(app.reopenRejected(item.id)) } },
                    onSendAgain = { act { app.sendAgain(item.id) } },
                    onTakeBack = { act { onFix(app.withdraw(item.id)) } },
                )
            }
        }
    }
}

@Composable
private fun OutboxRow(item: OutboxItem, onFix: () -> Unit, onSendAgain: () -> Unit, onTakeBack: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
        Column(Modifier.padding(12.dp)) {
            Text(item.title, style = MaterialTheme.typography.titleSmall)
            Text(item.status)
            item.detail?.let { Text(it) }
            item.reference?.let { Text(stringResource(R.string.reference, it)) }
            for (issue in item.issues) ErrorText("• ${issue.message}", announce = false)
            if (item.bucket == Bucket.NEEDS_FIXING) {
                Button(onClick = onFix) { Text(stringResource(R.string.fix_and_resend)) }
            }
            // Many failed attempts: the same form, same id, goes again (the server keeps it once).
            if (item.bucket == Bucket.NEEDS_HELP) {
                Button(onClick = onSendAgain) { Text(stringResource(R.string.send_again)) }
            }
            // Not sent yet (the core knows no byte of it left the phone): back to a draft.
            if (item.canTakeBack) {
                Button(onClick = onTakeBack) { Text(stringResource(R.string.take_back)) }
            }
        }
    }
}
