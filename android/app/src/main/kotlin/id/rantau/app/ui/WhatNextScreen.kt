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
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.core.WhatNext

/**
 * After the confirm: what happens next, step by step, as the core words it for
 * this form and the worker's destination (the KPJ, the payment code and where to
 * pay there, when protection starts; or where a reply appears). Nothing is decided
 * here: the payment step carries its own places to pay.
 */
@Composable
fun WhatNextView(next: WhatNext, onDone: () -> Unit) {
    ListPage(next.title, onBack = onDone) {
        Text(stringResource(R.string.sent_to_outbox), modifier = Modifier.padding(vertical = 8.dp))
        LazyColumn(Modifier.weight(1f)) {
            items(next.steps) { step ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(step.title, style = MaterialTheme.typography.titleMedium)
                        Text(step.text)
                        for (channel in step.channels) {
                            Text(channel.name, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                            Text(channel.how, style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
            }
        }
        Button(onClick = onDone, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp)) { Text(stringResource(R.string.done)) }
    }
}
