package id.rantau.app.ui

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.core.Help

/**
 * The numbers to call now, as the core gives them ([Help]): each line one tap from
 * the dialer, and from a WhatsApp chat when it takes one. Shown on the service-points
 * screen and on a form while an urgent answer is picked.
 */
@Composable
fun HelpCard(help: Help, modifier: Modifier = Modifier) {
    val context = LocalContext.current
    val open = { action: String, link: String -> context.startActivity(Intent(action, Uri.parse(link))) }
    Card(
        modifier.fillMaxWidth().padding(vertical = 4.dp),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
    ) {
        Column(Modifier.padding(12.dp)) {
            Text(help.title, style = MaterialTheme.typography.titleMedium)
            Text(help.advice, style = MaterialTheme.typography.bodySmall)
            for (section in help.sections) {
                Text(section.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                for (line in section.lines) {
                    Text("${line.label}: ${line.number}")
                    Row {
                        line.call?.let { link ->
                            OutlinedButton(onClick = { open(Intent.ACTION_DIAL, link) }, modifier = Modifier.padding(end = 8.dp)) {
                                Text(stringResource(R.string.help_call))
                            }
                        }
                        line.chat?.let { link ->
                            OutlinedButton(onClick = { open(Intent.ACTION_VIEW, link) }) { Text(stringResource(R.string.help_chat)) }
                        }
                    }
                }
            }
        }
    }
}
