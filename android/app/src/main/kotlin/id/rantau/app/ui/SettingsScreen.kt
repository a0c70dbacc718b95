package id.rantau.app.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.code
import id.rantau.app.Backups
import id.rantau.app.R
import id.rantau.app.Settings
import id.rantau.core.BackupSummary
import id.rantau.core.Lang
import id.rantau.core.SyncSettings
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch
import java.io.File

/**
 * Language, when this profile may use data (kept by the core, which applies it), the
 * profile's PIN and whether this device's profile list hides names (a shared phone),
 * and the backup for a new phone (written by the core; the worker picks where it goes).
 */
@Composable
fun SettingsScreen(settings: Settings, app: Rantau, onLanguage: (Lang) -> Unit, onBack: () -> Unit) {
    var sync by remember { mutableStateOf<SyncSettings?>(null) }
    val scope = rememberCoroutineScope()
    LaunchedEffect(app) { sync = app.syncSettings() }
    val change: (SyncSettings) -> Unit = { new ->
        sync = new
        scope.launch { app.setSyncSettings(new) }
    }
    Page(stringResource(R.string.settings), onBack = onBack) {
        Text(stringResource(R.string.language))
        Row {
            FilterChip(selected = settings.language == Lang.ID, onClick = { onLanguage(Lang.ID) }, label = { Text("Bahasa Indonesia") })
            FilterChip(selected = settings.language == Lang.EN, onClick = { onLanguage(Lang.EN) }, label = { Text("English") }, modifier = Modifier.padding(start = 8.dp))
        }
        sync?.let { s ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Switch(checked = s.wifiOnly, onCheckedChange = { change(s.copy(wifiOnly = it)) })
                Text(stringResource(R.string.wifi_only), modifier = Modifier.padding(start = 8.dp))
            }
            Row(verticalAlignment = Alignment.CenterVertically) {
                Switch(checked = s.allowRoaming, onCheckedChange = { change(s.copy(allowRoaming = it)) })
                Text(stringResource(R.string.allow_roaming), modifier = Modifier.padding(start = 8.dp))
            }
            // Forms are tiny and still go on mobile data; photos wait for Wi-Fi.
            Row(verticalAlignment = Alignment.CenterVertically) {
                Switch(checked = s.documentsWifiOnly, onCheckedChange = { change(s.copy(documentsWifiOnly = it)) })
                Text(stringResource(R.string.documents_wifi_only), modifier = Modifier.padding(start = 8.dp))
            }
        }
        PinSettings(app, settings.language)
        HideNames()
        BackupSection(app, settings.language)
    }
}

/** This device's profile list shows "Profil 1", "Profil 2" instead of names (kept by the core). */
@Composable
private fun HideNames() {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    val profilesDir = remember { File(context.filesDir, "profiles") }
    var hidden by remember { mutableStateOf(Rantau.namesHidden(profilesDir)) }
    Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.padding(top = 16.dp)) {
        Switch(checked = hidden, onCheckedChange = { on ->
            scope.launch {
                Rantau.setNamesHidden(profilesDir, on)
                hidden = Rantau.namesHidden(profilesDir)
            }
        })
        Text(stringResource(R.string.hide_names), modifier = Modifier.padding(start = 8.dp))
    }
}

/** Save this profile to a passphrase-locked file the worker places (and restores on a new phone). */
@Composable
private fun BackupSection(app: Rantau, language: Lang) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var passphrase by remember { mutableStateOf("") }
    var saved by remember { mutableStateOf<BackupSummary?>(null) }
    var notWritten by remember { mutableStateOf(false) }
    var refused by remember { mutableStateOf<String?>(null) }
    val saveTo = rememberLauncherForActivityResult(ActivityResultContracts.CreateDocument("application/octet-stream")) { uri ->
        if (uri != null) scope.launch {
            saved = null
            notWritten = false
            refused = null
            val scratch = Backups.scratch(context)
            try {
                val summary = app.exportBackup(scratch, passphrase)
                if (Backups.copyOut(context, scratch, uri)) saved = summary else notWritten = true
            } catch (e: RantauException) {
                refused = errorMessage(e.code, language)
            } finally {
                scratch.delete()
            }
        }
    }
    Text(stringResource(R.string.backup_title), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
    Text(stringResource(R.string.backup_explained))
    OutlinedTextField(
        value = passphrase,
        onValueChange = { passphrase = it },
        label = { Text(stringResource(R.string.backup_passphrase)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
    )
    Button(onClick = { saveTo.launch("rantau.backup") }, enabled = passphrase.isNotBlank()) {
        Text(stringResource(R.string.backup_save))
    }
    saved?.let { Text(stringResource(R.string.backup_saved, it.drafts.toInt(), it.inFlight.toInt(), it.documents.toInt())) }
    if (notWritten) ErrorText(stringResource(R.string.backup_not_written))
    refused?.let { ErrorText(it) }
}
