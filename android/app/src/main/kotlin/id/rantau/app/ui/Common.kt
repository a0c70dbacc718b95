package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import id.rantau.app.R
import id.rantau.app.SecureWindow

/**
 * A screen with a title and, unless it is the root, a back arrow. Its content scrolls:
 * at the largest font scale (200 %) text grows and the screen does not, so nothing may
 * be out of reach below the fold. A screen whose content is a list uses [ListPage].
 */
@Composable
fun Page(title: String, onBack: (() -> Unit)? = null, content: @Composable ColumnScope.() -> Unit) =
    Frame(title, onBack) {
        Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()), content = content)
    }

/**
 * A screen whose content holds a `LazyColumn` (which scrolls itself, and may not sit
 * inside another vertical scroll): otherwise as [Page].
 */
@Composable
fun ListPage(title: String, onBack: (() -> Unit)? = null, content: @Composable ColumnScope.() -> Unit) =
    Frame(title, onBack) { Column(Modifier.fillMaxSize(), content = content) }

@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun Frame(title: String, onBack: (() -> Unit)?, body: @Composable () -> Unit) {
    Scaffold(topBar = {
        TopAppBar(
            title = { Text(title) },
            navigationIcon = {
                if (onBack != null) {
                    IconButton(onClick = onBack) {
                        Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = stringResource(R.string.back))
                    }
                }
            },
        )
    }) { inner ->
        Column(Modifier.padding(inner).padding(horizontal = 16.dp).fillMaxSize()) { body() }
    }
}

/**
 * A failure or refusal in the error colour, announced by TalkBack when it appears or
 * changes (an assertive live region), so a worker who cannot see it still hears why.
 * [announce] false for errors listed as part of what a screen shows (an outbox item's).
 */
@Composable
fun ErrorText(text: String, announce: Boolean = true) {
    Text(
        text,
        color = MaterialTheme.colorScheme.error,
        modifier = if (announce) Modifier.semantics { liveRegion = LiveRegionMode.Assertive } else Modifier,
    )
}

/**
 * While this is in the composition with [secure] true, the window is `FLAG_SECURE`
 * (no screenshot, no screen recording, a blank recent-apps thumbnail); it is cleared
 * when [secure] turns false or this leaves. One call at the root decides for the
 * screen shown ([showsPersonalData]).
 */
@Composable
fun SecureWhileShown(secure: Boolean) {
    val context = LocalContext.current
    DisposableEffect(secure) {
        SecureWindow.set(context, secure)
        onDispose { SecureWindow.set(context, false) }
    }
}
