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
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.core.OutboxItem
import id.rantau.core.Bucket
import kotlinx.coroutines.launch

/**
 * Every finalized form and where it is; a rejected one can be fixed and sent again, one
 * that failed many times can be sent again as it is.
 */
@Composable
fun OutboxScreen(app: Rantau, onFix: (draftId: String) -> Unit, onBack: () -> Unit) {
    val outbox by remember(app) { app.outboxFlow() }.collectAsState(initial = emptyList())
    val scope = rememberCoroutineScope()
    Page(stringResource(R.string.outbox), onBack = onBack) {
        if (outbox.isEmpty()) Text(stringResource(R.string.outbox_empty))
        LazyColumn {
            items(outbox.reversed(), key = { it.id }) { item ->
                OutboxRow(
                    item,
                    onFix = { scope.launch { onFix(app.reopenRejected(item.id)) } },
                    onSendAgain = { scope.launch { app.sendAgain(item.id) } },
                )
            }
        }
    }
}

@Composable
private fun OutboxRow(item: OutboxItem, onFix: () -> Unit, onSendAgain: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
        Column(Modifier.padding(12.dp)) {
            Text(item.title, style = MaterialTheme.typography.titleSmall)
            Text(item.status)
            item.detail?.let { Text(it) }
            item.reference?.let { Text(stringResource(R.string.reference, it)) }
            for (issue in item.issues) Text("• ${issue.message}", color = MaterialTheme.colorScheme.error)
            if (item.bucket == Bucket.NEEDS_FIXING) {
                Button(onClick = onFix) { Text(stringResource(R.string.fix_and_resend)) }
            }
            // Many failed attempts: the same form, same id, goes again (the server keeps it once).
            if (item.bucket == Bucket.NEEDS_HELP) {
                Button(onClick = onSendAgain) { Text(stringResource(R.string.send_again)) }
            }
        }
    }
}
