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
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.whenLabel
import id.rantau.app.R
import id.rantau.core.Thread

/** Questions sent to the agency and their replies; a new one is a form like any other. */
@Composable
fun ConsultationsScreen(app: Rantau, onNew: () -> Unit, onBack: () -> Unit) {
    var threads by remember { mutableStateOf<List<Thread>>(emptyList()) }
    val outbox by remember(app) { app.outboxFlow() }.collectAsState(initial = emptyList())
    LaunchedEffect(outbox) { threads = app.threads() }
    ListPage(stringResource(R.string.consultations), onBack = onBack) {
        Button(onClick = onNew) { Text(stringResource(R.string.new_consultation)) }
        val titles = outbox.associate { it.id to it.title }
        LazyColumn {
            items(threads, key = { it.submissionId }) { t ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(titles[t.submissionId] ?: t.submissionId.take(8), style = MaterialTheme.typography.titleSmall)
                        if (t.replies.isEmpty()) Text(stringResource(R.string.no_reply_yet))
                        for (r in t.replies) {
                            Text("${r.from} · ${r.whenLabel()}", style = MaterialTheme.typography.labelMedium)
                            Text(r.body)
                        }
                    }
                }
            }
        }
    }
}
