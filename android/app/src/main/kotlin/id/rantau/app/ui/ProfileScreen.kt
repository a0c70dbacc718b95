package id.rantau.app.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.code
import id.rantau.app.Backups
import id.rantau.app.ProfileKey
import id.rantau.app.R
import id.rantau.core.Lang
import id.rantau.core.ProfileEntry
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException

/**
 * Lang, then whose phone this is: one profile per worker (a shared family
 * phone holds several), each encrypted with its own key.
 */
@Composable
fun ProfileScreen(profilesDir: File, language: Lang, onLanguage: (Lang) -> Unit, onChosen: (String) -> Unit) {
    // Labelled by the core: the names, or "Profil 1", "Profil 2" while this device hides them.
    var entries by remember { mutableStateOf<List<ProfileEntry>>(emptyList()) }
    LaunchedEffect(profilesDir, language) {
        entries = runCatching { Rantau.profiles(profilesDir, language) }.getOrDefault(emptyList())
    }
    val existing = entries.map { it.name }
    var name by remember { mutableStateOf("") }
    ListPage(stringResource(R.string.choose_profile)) {
        Text(stringResource(R.string.language))
        Row {
            FilterChip(selected = language == Lang.ID, onClick = { onLanguage(Lang.ID) }, label = { Text("Bahasa Indonesia") })
            FilterChip(selected = language == Lang.EN, onClick = { onLanguage(Lang.EN) }, label = { Text("English") }, modifier = Modifier.padding(start = 8.dp))
        }
        LazyColumn {
            items(entries) { p -> OutlinedButton(onClick = { onChosen(p.name) }, modifier = Modifier.padding(vertical = 4.dp)) { Text(p.label) } }
        }
        OutlinedTextField(value = name, onValueChange = { name = it.take(40) }, label = { Text(stringResource(R.string.new_profile_name)) })
        // Profile names become file names: letters, digits and dashes only.
        val clean = name.trim().lowercase().replace(Regex("[^a-z0-9-]+"), "-").trim('-')
        Button(onClick = { onChosen(clean) }, enabled = clean.isNotEmpty() && clean !in existing) {
            Text(stringResource(R.string.create_profile))
        }
        RestoreSection(profilesDir, clean.takeIf { it.isNotEmpty() && it !in existing }, language, onChosen)
    }
}

/**
 * A new phone: the backup file the worker picks is restored as the new profile [name].
 * The passphrase is checked before a key is made for the name, so a wrong one leaves
 * nothing behind; then the core restores it (whole, or nothing).
 */
@Composable
private fun RestoreSection(profilesDir: File, name: String?, language: Lang, onChosen: (String) -> Unit) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var passphrase by remember { mutableStateOf("") }
    var unreadable by remember { mutableStateOf(false) }
    var keyUnavailable by remember { mutableStateOf(false) }
    var refused by remember { mutableStateOf<String?>(null) }
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        val target = name
        if (uri != null && target != null) scope.launch {
            unreadable = false
            keyUnavailable = false
            refused = null
            val scratch = Backups.scratch(context)
            try {
                if (!Backups.copyIn(context, uri, scratch)) {
                    unreadable = true
                    return@launch
                }
                Rantau.inspectBackup(scratch, passphrase)
                val key = ProfileKey.get(context, target).first
                Rantau.importBackup(profilesDir, target, key, scratch, passphrase).close()
                onChosen(target)
            } catch (e: RantauException) {
                refused = errorMessage(e.code, language)
            } catch (e: GeneralSecurityException) {
                keyUnavailable = true
            } catch (e: IOException) {
                keyUnavailable = true
            } finally {
                scratch.delete()
            }
        }
    }
    Text(stringResource(R.string.restore_title), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
    OutlinedTextField(
        value = passphrase,
        onValueChange = { passphrase = it },
        label = { Text(stringResource(R.string.backup_passphrase)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
    )
    OutlinedButton(onClick = { pick.launch(arrayOf("*/*")) }, enabled = name != null && passphrase.isNotBlank()) {
        Text(stringResource(R.string.restore_choose))
    }
    if (unreadable) ErrorText(stringResource(R.string.restore_not_read))
    if (keyUnavailable) ErrorText(stringResource(R.string.key_unavailable))
    refused?.let { ErrorText(it) }
}
