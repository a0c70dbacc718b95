package id.rantau.app.ui

import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.height
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.code
import id.rantau.ffi.Language
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage

/**
 * A profile that did not open: the core's message in the user's language, and what
 * can be done. Only a damaged file (`store.not_a_database`) may be set aside to start
 * again; the file is kept for support, never deleted. Anything else (a newer app's
 * profile, a full disk) offers only another profile, since the data is fine.
 */
@Composable
fun ProfileProblemScreen(
    name: String,
    failure: RantauException,
    language: Language,
    onSetAside: () -> Unit,
    onOtherProfile: () -> Unit,
) {
    Page(name) {
        Text(errorMessage(failure.code, language), color = MaterialTheme.colorScheme.error)
        Spacer(Modifier.height(16.dp))
        if (failure.code == "store.not_a_database") {
            Text(stringResource(R.string.set_aside_explained))
            Button(onClick = onSetAside) { Text(stringResource(R.string.set_aside_start_again)) }
        }
        TextButton(onClick = onOtherProfile) { Text(stringResource(R.string.choose_other_profile)) }
    }
}
