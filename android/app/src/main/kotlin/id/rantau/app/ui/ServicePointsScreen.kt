package id.rantau.app.ui

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.core.Lang
import id.rantau.Rantau
import id.rantau.ffi.countries
import id.rantau.ffi.helpFor
import id.rantau.ffi.servicePoints

/**
 * Help and service points by country: it opens on the worker's destination (the core
 * reads it from their registration), with the numbers to call now — local emergency
 * and labour lines, the missions' hotlines, WhatsApp — each one tap away; then the
 * offices, and the contact centre 175.
 */
@Composable
fun ServicePointsScreen(app: Rantau, language: Lang, onBack: () -> Unit) {
    val context = LocalContext.current
    // Destinations with most workers first; the list and the directory ship with the core (offline).
    val destinations = remember(language) { countries(language).filter { it.destination } }
    var country by remember { mutableStateOf(destinations.firstOrNull()?.code ?: "HK") }
    LaunchedEffect(app) { app.help().country?.let { country = it } }
    val dial = { number: String -> context.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:$number"))) }
    ListPage(stringResource(R.string.service_points), onBack = onBack) {
        LazyRow {
            items(destinations, key = { it.code }) { c ->
                FilterChip(selected = c.code == country, onClick = { country = c.code }, label = { Text(c.name) }, modifier = Modifier.padding(end = 4.dp))
            }
        }
        val help = remember(country, language) { helpFor(country, language) }
        val points = remember(country, language) { servicePoints(country, language) }
        if (points.isEmpty()) Text(stringResource(R.string.no_service_points))
        LazyColumn {
            item { HelpCard(help) }
            item {
                Button(onClick = { dial("175") }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.call_175)) }
                Text(stringResource(R.string.call_175_abroad), style = MaterialTheme.typography.bodySmall)
            }
            items(points, key = { it.id }) { p ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(p.name, style = MaterialTheme.typography.titleSmall)
                        Text(p.city)
                        p.address?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                        for (line in p.phones) Row {
                            TextButton(onClick = { dial(line.e164 ?: line.number) }) { Text("${line.label}: ${line.number}") }
                        }
                        p.notes?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                    }
                }
            }
        }
    }
}
