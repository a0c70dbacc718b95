package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import id.rantau.app.Reminders
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import android.content.Intent
import android.provider.Settings
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.core.StatusCard
import id.rantau.core.SyncAction
import id.rantau.core.SyncStatus
import kotlinx.coroutines.launch
import id.rantau.core.DraftSummary

/** Home: the status card with the data's age, what waits to be sent, and every action. */
@Composable
fun HomeScreen(app: Rantau, go: (Screen) -> Unit, onSync: () -> Unit, onSwitchProfile: () -> Unit) {
    var status by remember { mutableStateOf<StatusCard?>(null) }
    var drafts by remember { mutableStateOf<List<DraftSummary>>(emptyList()) }
    // The draft the worker asked to delete, until they confirm or cancel.
    var deleting by remember { mutableStateOf<DraftSummary?>(null) }
    val outbox by remember(app) { app.outboxSummaryFlow() }.collectAsState(initial = null)
    val sync by app.syncStatus.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    // What the core says would help; settings are the profile's, so they change there.
    val act: (SyncAction) -> Unit = { action ->
        scope.launch {
            when (action) {
                SyncAction.OPEN_NETWORK_SETTINGS -> context.startActivity(Intent(Settings.ACTION_WIRELESS_SETTINGS))
                SyncAction.ALLOW_MOBILE_DATA -> { app.setSyncSettings(app.syncSettings().copy(wifiOnly = false)); onSync() }
                SyncAction.ALLOW_ROAMING -> { app.setSyncSettings(app.syncSettings().copy(allowRoaming = true)); onSync() }
                SyncAction.SEND_DOCUMENTS_ON_MOBILE_DATA -> { app.setSyncSettings(app.syncSettings().copy(documentsWifiOnly = false)); onSync() }
                SyncAction.SYNC_NOW -> onSync()
            }
        }
    }
    // Reminders need Android 13's notification permission: asked once, when there is one to show.
    val askNotifications = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { }
    LaunchedEffect(app) {
        if (Reminders.shouldAsk(context, app.reminders().isNotEmpty())) askNotifications.launch(Reminders.PERMISSION)
    }
    LaunchedEffect(outbox) {
        status = app.statusCard()
        drafts = app.drafts()
    }
    deleting?.let { d ->
        AlertDialog(
            onDismissRequest = { deleting = null },
            text = { Text(stringResource(R.string.delete_draft_question, d.title)) },
            confirmButton = {
                TextButton(onClick = {
                    scope.launch {
                        app.deleteDraft(d.id)
                        drafts = app.drafts()
                        deleting = null
                    }
                }) { Text(stringResource(R.string.delete_draft)) }
            },
            dismissButton = { TextButton(onClick = { deleting = null }) { Text(stringResource(R.string.cancel)) } },
        )
    }
    Page(stringResource(R.string.app_name)) {
        Column {
            Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(stringResource(R.string.status), style = MaterialTheme.typography.titleMedium)
                    status?.let { card ->
                        Text(card.headline, style = MaterialTheme.typography.headlineSmall)
                        card.kpj?.let { Text(stringResource(R.string.kpj_number, it)) }
                        card.rejection?.let { ErrorText(it) }
                        // Old data is said prominently: the status may have changed since.
                        Text(card.updated, color = if (card.stale) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                    }
                    // The core counts each form once, in one bucket, and words the line.
                    outbox?.headline?.let { line ->
                        val attention = (outbox?.needsAction ?: 0u) > 0u
                        Text(line, color = if (attention) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                    }
                    // The data budget: what is still to go, in MB, worded by the core.
                    outbox?.toSend?.let { Text(it) }
                }
            }
            SyncCard(sync, act)
            Button(onClick = onSync, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.sync_now)) }
            if (status?.registered == false) {
                Button(onClick = { go(Screen.Form(formId = "pmi-registration")) }, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.register))
                }
                // Registered by the placement company or on an old phone: link this one instead.
                OutlinedButton(onClick = { go(Screen.Link) }, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.already_registered))
                }
            }
            for (d in drafts) {
                Row(verticalAlignment = Alignment.CenterVertically) {
                    OutlinedButton(onClick = { go(Screen.Form(draftId = d.id)) }, modifier = Modifier.weight(1f)) {
                        Text(stringResource(R.string.continue_draft, d.title, d.answered.toInt()))
                    }
                    TextButton(onClick = { deleting = d }) { Text(stringResource(R.string.delete_draft)) }
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

/** The core's sync state as it is: what runs, why it waits and what helps, the last result. */
@Composable
private fun SyncCard(sync: SyncStatus, act: (SyncAction) -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(sync.headline, style = MaterialTheme.typography.titleSmall)
            if (sync.running) {
                val progress = sync.progress
                if (progress != null) {
                    LinearProgressIndicator(progress = { progress }, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp))
                } else {
                    LinearProgressIndicator(modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp))
                }
            }
            sync.error?.let { ErrorText(it) }
            sync.lastResult?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            val action = sync.action
            val label = sync.actionLabel
            if (action != null && label != null) TextButton(onClick = { act(action) }) { Text(label) }
        }
    }
}
