package id.rantau.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.app.Settings
import id.rantau.core.Lang

/** Lang and when the app may use data. */
@Composable
fun SettingsScreen(settings: Settings, onLanguage: (Lang) -> Unit, onChanged: () -> Unit, onBack: () -> Unit) {
    var wifiOnly by remember { mutableStateOf(settings.wifiOnly) }
    var notRoaming by remember { mutableStateOf(settings.notRoaming) }
    Page(stringResource(R.string.settings), onBack = onBack) {
        Text(stringResource(R.string.language))
        Row {
            FilterChip(selected = settings.language == Lang.ID, onClick = { onLanguage(Lang.ID) }, label = { Text("Bahasa Indonesia") })
            FilterChip(selected = settings.language == Lang.EN, onClick = { onLanguage(Lang.EN) }, label = { Text("English") }, modifier = Modifier.padding(start = 8.dp))
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            Switch(checked = wifiOnly, onCheckedChange = { wifiOnly = it; settings.wifiOnly = it; onChanged() })
            Text(stringResource(R.string.wifi_only), modifier = Modifier.padding(start = 8.dp))
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            Switch(checked = notRoaming, onCheckedChange = { notRoaming = it; settings.notRoaming = it; onChanged() })
            Text(stringResource(R.string.not_roaming), modifier = Modifier.padding(start = 8.dp))
        }
    }
}
