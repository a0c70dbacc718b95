package id.rantau.app.ui

import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.code
import id.rantau.core.Lang
import id.rantau.core.PinStatus
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch

/**
 * A profile with a PIN, opened for the user: the PIN before anything of the profile
 * shows. The core checks it, counts wrong tries and says how long to wait; this
 * screen draws what it says. A forgotten PIN cannot be reset here (the core's
 * app/profile/pin.rs says why): the screen says so and offers another profile.
 */
@Composable
fun PinScreen(app: Rantau, title: String, language: Lang, onUnlocked: () -> Unit, onOtherProfile: () -> Unit) {
    val scope = rememberCoroutineScope()
    var pin by remember { mutableStateOf("") }
    var status by remember { mutableStateOf<PinStatus?>(null) }
    var refused by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(app) { status = app.pinStatus() }
    Page(title) {
        Text(stringResource(R.string.pin_enter))
        OutlinedTextField(
            value = pin,
            onValueChange = { typed -> pin = typed.filter { it.isDigit() }.take(8) },
            label = { Text(stringResource(R.string.pin_label)) },
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
        )
        val waiting = status?.waitUntil != null
        Button(
            onClick = {
                scope.launch {
                    try {
                        app.unlock(pin)
                        onUnlocked()
                    } catch (e: RantauException) {
                        refused = errorMessage(e.code, language)
                        status = app.pinStatus()
                    } finally {
                        pin = ""
                    }
                }
            },
            enabled = pin.length >= 4 && !waiting,
        ) { Text(stringResource(R.string.pin_open)) }
        refused?.let { ErrorText(it) }
        status?.line?.let { ErrorText(it) }
        if (waiting) {
            // The wait is the core's; the worker may check again after it.
            TextButton(onClick = { scope.launch { status = app.pinStatus() } }) { Text(stringResource(R.string.pin_try_again)) }
        }
        Text(stringResource(R.string.pin_forgotten), style = MaterialTheme.typography.bodySmall)
        TextButton(onClick = onOtherProfile) { Text(stringResource(R.string.choose_other_profile)) }
    }
}

/**
 * The profile's PIN in settings: set one (4 to 8 digits, not an easy one such as 1234), or
 * change or remove it with the current one. Every refusal is the core's message.
 */
@Composable
fun PinSettings(app: Rantau, language: Lang) {
    val scope = rememberCoroutineScope()
    var status by remember { mutableStateOf<PinStatus?>(null) }
    var current by remember { mutableStateOf("") }
    var fresh by remember { mutableStateOf("") }
    var message by remember { mutableStateOf<String?>(null) }
    var failed by remember { mutableStateOf(false) }
    LaunchedEffect(app) { status = app.pinStatus() }
    val digits: (String) -> String = { typed -> typed.filter { it.isDigit() }.take(8) }
    val setDone = stringResource(R.string.pin_done_set)
    val changeDone = stringResource(R.string.pin_done_changed)
    val removeDone = stringResource(R.string.pin_done_removed)
    val run: (suspend () -> Unit, String) -> Unit = { action, done ->
        scope.launch {
            try {
                action()
                failed = false
                message = null
                current = ""
                fresh = ""
                status = app.pinStatus()
                message = done
            } catch (e: RantauException) {
                failed = true
                status = app.pinStatus()
                message = listOfNotNull(errorMessage(e.code, language), status?.line).joinToString(" ")
            }
        }
    }
    val s = status ?: return
    Text(stringResource(R.string.pin_title), style = MaterialTheme.typography.titleMedium)
    Text(stringResource(if (s.hasPin) R.string.pin_is_set else R.string.pin_explained))
    if (s.hasPin) {
        OutlinedTextField(
            value = current,
            onValueChange = { current = digits(it) },
            label = { Text(stringResource(R.string.pin_current)) },
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
        )
    }
    OutlinedTextField(
        value = fresh,
        onValueChange = { fresh = digits(it) },
        label = { Text(stringResource(R.string.pin_new)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    )
    if (s.hasPin) {
        Button(onClick = { run({ app.changePin(current, fresh) }, changeDone) }, enabled = current.length >= 4 && fresh.length >= 4) {
            Text(stringResource(R.string.pin_change))
        }
        TextButton(onClick = { run({ app.removePin(current) }, removeDone) }, enabled = current.length >= 4) {
            Text(stringResource(R.string.pin_remove))
        }
    } else {
        Button(onClick = { run({ app.setPin(fresh) }, setDone) }, enabled = fresh.length >= 4) {
            Text(stringResource(R.string.pin_set))
        }
    }
    message?.let { Text(it, color = if (failed) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary) }
}
