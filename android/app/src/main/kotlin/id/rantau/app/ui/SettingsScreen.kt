package id.rantau.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.FilterChip
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
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.app.Settings
import id.rantau.core.Lang
import id.rantau.core.SyncSettings
import kotlinx.coroutines.launch

/** Language, and when this profile may use data (kept by the core, which applies it). */
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
        }
    }
}
