package id.rantau.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.code
import id.rantau.app.BuildConfigUrl
import id.rantau.app.Networks
import id.rantau.app.R
import id.rantau.core.Lang
import id.rantau.core.LinkChannel
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch

/**
 * "Saya sudah terdaftar": a worker registered elsewhere (by the placement company, on an
 * old phone) links this phone. NIK or KPJ and birth date, how the one-time code comes (by
 * e-mail to the address the agency holds, or from an officer at the embassy, consulate or
 * KDEI), then the code. The core checks and words everything; the screen only draws.
 */
@Composable
fun LinkScreen(app: Rantau, language: Lang, onLinked: () -> Unit, onBack: () -> Unit) {
    var who by remember { mutableStateOf("") }
    var birth by remember { mutableStateOf("") }
    var channel by remember { mutableStateOf(LinkChannel.EMAIL) }
    var code by remember { mutableStateOf("") }
    // What the server said to do (where the code comes from); null until asked.
    var pending by remember { mutableStateOf<String?>(null) }
    var failure by remember { mutableStateOf<String?>(null) }
    var busy by remember { mutableStateOf(false) }
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    val attempt: (suspend () -> Unit) -> Unit = { work ->
        scope.launch {
            busy = true
            failure = null
            try {
                work()
            } catch (e: RantauException) {
                failure = errorMessage(e.code, language)
            } finally {
                busy = false
            }
        }
    }
    Page(stringResource(R.string.link_title), onBack = onBack) {
        Text(stringResource(R.string.link_explained))
        OutlinedTextField(
            value = who,
            onValueChange = { who = it },
            label = { Text(stringResource(R.string.link_nik_or_kpj)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
            modifier = Modifier.fillMaxWidth(),
        )
        OutlinedTextField(
            value = birth,
            onValueChange = { birth = it },
            label = { Text(stringResource(R.string.link_birth_date)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
            modifier = Modifier.fillMaxWidth(),
        )
        Text(stringResource(R.string.link_how), style = MaterialTheme.typography.titleSmall)
        Row {
            FilterChip(
                selected = channel == LinkChannel.EMAIL,
                onClick = { channel = LinkChannel.EMAIL },
                label = { Text(stringResource(R.string.link_by_email)) },
                modifier = Modifier.padding(end = 8.dp),
            )
            FilterChip(
                selected = channel == LinkChannel.OFFICER,
                onClick = { channel = LinkChannel.OFFICER },
                label = { Text(stringResource(R.string.link_by_officer)) },
            )
        }
        Button(
            enabled = !busy && who.isNotBlank() && birth.isNotBlank(),
            onClick = { attempt { pending = app.linkStart(BuildConfigUrl.SERVER, who, birth, channel).message } },
            modifier = Modifier.fillMaxWidth(),
        ) { Text(stringResource(R.string.link_ask_code)) }
        pending?.let { message ->
            Text(message, modifier = Modifier.padding(vertical = 8.dp))
            OutlinedTextField(
                value = code,
                onValueChange = { code = it },
                label = { Text(stringResource(R.string.link_code)) },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                modifier = Modifier.fillMaxWidth(),
            )
            Button(
                enabled = !busy && code.isNotBlank(),
                onClick = {
                    attempt {
                        app.linkConfirm(BuildConfigUrl.SERVER, code, Networks.current(context))
                        onLinked()
                    }
                },
                modifier = Modifier.fillMaxWidth(),
            ) { Text(stringResource(R.string.link_confirm)) }
        }
        failure?.let { ErrorText(it) }
    }
}
