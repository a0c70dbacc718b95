package id.rantau.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.core.Lang
import id.rantau.ffi.listProfiles
import java.io.File

/**
 * Lang, then whose phone this is: one profile per worker (a shared family
 * phone holds several), each encrypted with its own key.
 */
@Composable
fun ProfileScreen(profilesDir: File, language: Lang, onLanguage: (Lang) -> Unit, onChosen: (String) -> Unit) {
    val existing = remember { runCatching { listProfiles(profilesDir.path) }.getOrDefault(emptyList()) }
    var name by remember { mutableStateOf("") }
    Page(stringResource(R.string.choose_profile)) {
        Text(stringResource(R.string.language))
        Row {
            FilterChip(selected = language == Lang.ID, onClick = { onLanguage(Lang.ID) }, label = { Text("Bahasa Indonesia") })
            FilterChip(selected = language == Lang.EN, onClick = { onLanguage(Lang.EN) }, label = { Text("English") }, modifier = Modifier.padding(start = 8.dp))
        }
        LazyColumn {
            items(existing) { p -> OutlinedButton(onClick = { onChosen(p) }, modifier = Modifier.padding(vertical = 4.dp)) { Text(p) } }
        }
        OutlinedTextField(value = name, onValueChange = { name = it.take(40) }, label = { Text(stringResource(R.string.new_profile_name)) })
        // Profile names become file names: letters, digits and dashes only.
        val clean = name.trim().lowercase().replace(Regex("[^a-z0-9-]+"), "-").trim('-')
        Button(onClick = { onChosen(clean) }, enabled = clean.isNotEmpty() && clean !in existing) {
            Text(stringResource(R.string.create_profile))
        }
    }
}
