package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.core.Review

/**
 * Before sending: every answer by page, as the core words it (labels, names,
 * dates as people write them), each page with a way back to change it, then the
 * explicit confirm. Nothing here is computed: the core gave the lines.
 */
@Composable
fun ReviewView(
    review: Review,
    failure: String?,
    onChange: (page: UInt) -> Unit,
    onConfirm: () -> Unit,
    onBack: () -> Unit,
) {
    ListPage(review.title, onBack = onBack) {
        Text(stringResource(R.string.review_hint), modifier = Modifier.padding(vertical = 8.dp))
        LazyColumn(Modifier.weight(1f)) {
            items(review.pages, key = { it.page.toInt() }) { page ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Row {
                            Text(page.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                            TextButton(onClick = { onChange(page.page) }) { Text(stringResource(R.string.change)) }
                        }
                        for (line in page.lines) {
                            Text(line.label, style = MaterialTheme.typography.bodySmall)
                            Text(line.value, modifier = Modifier.padding(bottom = 4.dp))
                        }
                    }
                }
            }
            review.contribution?.let { quote -> item { Summary(quote) } }
        }
        failure?.let { ErrorText(it) }
        Row(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
            OutlinedButton(onClick = onBack) { Text(stringResource(R.string.previous)) }
            Column(Modifier.weight(1f)) {}
            Button(onClick = onConfirm) { Text(stringResource(R.string.confirm_send)) }
        }
    }
}
