package id.rantau.app

import android.content.Intent
import android.net.Uri
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
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
import id.rantau.ffi.Language
import id.rantau.ffi.Membership
import id.rantau.ffi.OutboxState
import id.rantau.ffi.servicePoints
import java.io.File

/** Thin shell: the home screen (status card with the data's age, pending uploads, sync) and service points. */
class MainActivity : ComponentActivity() {
    private var app: Rantau? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                var rantau by remember { mutableStateOf<Rantau?>(null) }
                LaunchedEffect(Unit) {
                    val (key, create) = ProfileKey.get(applicationContext, "default")
                    rantau = Rantau.withKey(File(filesDir, "profiles"), "default", key, create).also { app = it }
                }
                rantau?.let { Home(it) }
            }
        }
    }

    override fun onDestroy() {
        app?.close()
        super.onDestroy()
    }

    @Composable
    private fun Home(app: Rantau) {
        var membership by remember { mutableStateOf<Membership?>(null) }
        val outbox by remember(app) { app.outboxFlow() }.collectAsState(initial = emptyList())
        LaunchedEffect(outbox) { membership = app.membership() }
        val lang = if (resources.configuration.locales[0].language == "in") Language.ID else Language.EN
        Column(Modifier.padding(16.dp)) {
            Card(Modifier.padding(bottom = 8.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(stringResource(R.string.status), style = MaterialTheme.typography.titleMedium)
                    Text(membership?.status?.toString() ?: "—")
                    val age = membership?.fetchedAt?.let { android.text.format.DateUtils.getRelativeTimeSpanString(it).toString() }
                    Text(stringResource(R.string.data_age, age ?: stringResource(R.string.never_updated)))
                    Text(stringResource(R.string.pending_uploads, outbox.count { it.state != OutboxState.ACCEPTED }))
                }
            }
            Button(onClick = { SyncWorker.syncNow(applicationContext, "default", wifiOnly = false, notRoaming = true) }) {
                Text(stringResource(R.string.sync_now))
            }
            Button(onClick = { startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:175"))) }) {
                Text(stringResource(R.string.call_175))
            }
            Text(stringResource(R.string.service_points), style = MaterialTheme.typography.titleMedium)
            LazyColumn {
                items(servicePoints("HK", lang)) { p -> Text("${p.name} — ${p.city}") }
            }
        }
    }
}
