package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
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
import id.rantau.app.R
import id.rantau.dataAge
import id.rantau.ffi.DraftSummary
import id.rantau.ffi.Membership
import id.rantau.ffi.MembershipStatus

/** Home: the status card with the data's age, what waits to be sent, and every action. */
@Composable
fun HomeScreen(app: Rantau, go: (Screen) -> Unit, onSync: () -> Unit, onSwitchProfile: () -> Unit) {
    var membership by remember { mutableStateOf<Membership?>(null) }
    var drafts by remember { mutableStateOf<List<DraftSummary>>(emptyList()) }
    val outbox by remember(app) { app.outboxSummaryFlow() }.collectAsState(initial = null)
    val sync by app.syncState.collectAsState()
    LaunchedEffect(outbox) {
        membership = app.membership()
        drafts = app.drafts()
    }
    Page(stringResource(R.string.app_name)) {
        Column(Modifier.verticalScroll(rememberScrollState())) {
            Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(stringResource(R.string.status), style = MaterialTheme.typography.titleMedium)
                    Text(statusText(membership?.status), style = MaterialTheme.typography.headlineSmall)
                    membership?.kpj?.let { Text(stringResource(R.string.kpj_number, it)) }
                    Text(stringResource(R.string.data_age, ageText(dataAge(membership?.fetchedAt))))
                    // The core counts each form once, in one bucket, and words the line.
                    outbox?.headline?.let { line ->
                        val attention = (outbox?.needsAction ?: 0u) > 0u
                        Text(line, color = if (attention) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                    }
                    sync?.let { Text(syncText(it)) }
                }
            }
            Button(onClick = onSync, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.sync_now)) }
            if (membership == null || membership?.status == MembershipStatus.NotRegistered) {
                Button(onClick = { go(Screen.Form(formId = "pmi-registration")) }, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.register))
                }
            }
            for (d in drafts) {
                OutlinedButton(onClick = { go(Screen.Form(draftId = d.id)) }, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.continue_draft, d.title, d.answered.toInt()))
                }
            }
            OutlinedButton(onClick = { go(Screen.Outbox) }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.outbox)) }
            OutlinedButton(onClick = { go(Screen.Card) }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.card_and_payment)) }
            OutlinedButton(onClick = { go(Screen.Consultations) }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.consultations)) }
            OutlinedButton(onClick = { go(Screen.ServicePoints) }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.service_points)) }
            TextButton(onClick = { go(Screen.Settings) }) { Text(stringResource(R.string.settings)) }
            TextButton(onClick = onSwitchProfile) { Text(stringResource(R.string.switch_profile)) }
        }
    }
}

@Composable
private fun statusText(status: MembershipStatus?): String = when (status) {
    null, MembershipStatus.NotRegistered -> stringResource(R.string.status_not_registered)
    MembershipStatus.PendingSync -> stringResource(R.string.status_pending_sync)
    MembershipStatus.RegisteredUnpaid -> stringResource(R.string.status_unpaid)
    is MembershipStatus.Active -> stringResource(R.string.status_active, status.until)
    is MembershipStatus.NotYetActive -> stringResource(R.string.status_not_yet_active, status.starts)
    is MembershipStatus.Expired -> stringResource(R.string.status_expired, status.ended)
    else -> status.toString()
}

@Composable
private fun syncText(s: id.rantau.ffi.SyncState): String = when (s) {
    is id.rantau.ffi.SyncState.Enrolling -> stringResource(R.string.sync_enrolling)
    is id.rantau.ffi.SyncState.Pushing -> stringResource(R.string.sync_pushing, s.sent.toInt(), s.total.toInt())
    is id.rantau.ffi.SyncState.Uploading -> stringResource(R.string.sync_uploading, s.filesDone.toInt(), s.filesTotal.toInt())
    is id.rantau.ffi.SyncState.Pulling -> stringResource(R.string.sync_pulling)
    is id.rantau.ffi.SyncState.Done -> stringResource(R.string.sync_done)
    is id.rantau.ffi.SyncState.Failed -> stringResource(R.string.sync_failed, s.code)
}
