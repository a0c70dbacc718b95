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
import id.rantau.core.Lang
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage

/** Why a chosen profile did not open. */
sealed interface OpenProblem {
    /** The core refused it (damaged file, newer app's profile, full storage…). */
    data class Core(val error: RantauException) : OpenProblem

    /** The Android Keystore could not unwrap the profile's key (some phones' keystores fail). */
    data object KeyUnavailable : OpenProblem
}

/**
 * A profile that did not open: why, in the user's language, and what can be done.
 * Only a damaged file (`store.not_a_database`) may be set aside to start again; the
 * file is kept for support, never deleted. Anything else (a newer app's profile, a
 * full disk, a failing keystore) offers only another profile: the data is not lost,
 * and the app must not crash at every start.
 */
@Composable
fun ProfileProblemScreen(
    name: String,
    problem: OpenProblem,
    language: Lang,
    onSetAside: () -> Unit,
    onOtherProfile: () -> Unit,
) {
    Page(name) {
        val message = when (problem) {
            is OpenProblem.Core -> errorMessage(problem.error.code, language)
            OpenProblem.KeyUnavailable -> stringResource(R.string.key_unavailable)
        }
        ErrorText(message)
        Spacer(Modifier.height(16.dp))
        if (problem is OpenProblem.Core && problem.error.code == "store.not_a_database") {
            Text(stringResource(R.string.set_aside_explained))
            Button(onClick = onSetAside) { Text(stringResource(R.string.set_aside_start_again)) }
        }
        TextButton(onClick = onOtherProfile) { Text(stringResource(R.string.choose_other_profile)) }
    }
}
