package id.rantau.app.ui

import androidx.compose.runtime.saveable.listSaver
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.snapshots.SnapshotStateList
import androidx.activity.compose.BackHandler
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.platform.LocalContext
import id.rantau.Rantau
import id.rantau.app.ProfileKey
import id.rantau.app.Settings
import id.rantau.app.SyncWorker
import id.rantau.core.Lang
import id.rantau.ffi.RantauException
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import kotlinx.coroutines.launch

/** Where the user is. A plain back stack: the app has few screens and no deep links. */
sealed interface Screen {
    data object Home : Screen
    data class Form(val formId: String? = null, val draftId: String? = null) : Screen
    data object Outbox : Screen
    data object Card : Screen
    data object Consultations : Screen
    data object ServicePoints : Screen
    data object Settings : Screen
    data object Link : Screen
}

/** The screen as saved state keeps it (a string), so the stack outlives a rotation or the process. */
private fun Screen.saved(): String = when (this) {
    Screen.Home -> "home"
    // A form is saved by its draft once one is open, so a restored stack never starts another.
    is Screen.Form -> draftId?.let { "draft:$it" } ?: "form:${formId.orEmpty()}"
    Screen.Outbox -> "outbox"
    Screen.Card -> "card"
    Screen.Consultations -> "consultations"
    Screen.ServicePoints -> "service_points"
    Screen.Settings -> "settings"
    Screen.Link -> "link"
}

private fun restored(saved: String): Screen? = when {
    saved.startsWith("draft:") -> Screen.Form(draftId = saved.removePrefix("draft:"))
    saved.startsWith("form:") -> Screen.Form(formId = saved.removePrefix("form:"))
    else -> listOf(Screen.Home, Screen.Outbox, Screen.Card, Screen.Consultations, Screen.ServicePoints, Screen.Settings, Screen.Link)
        .firstOrNull { it.saved() == saved }
}

/**
 * The back stack as saved instance state: the camera often outlives the activity
 * (rotation, low memory), and the form under it must be there when the photo comes back.
 */
private val StackSaver = listSaver<SnapshotStateList<Screen>, String>(
    save = { stack -> stack.map { it.saved() } },
    restore = { saved -> mutableStateListOf<Screen>().apply { addAll(saved.mapNotNull(::restored).ifEmpty { listOf(Screen.Home) }) } },
)

/**
 * Screens that show personal data (the KPJ number and status, form answers and their
 * review, the outbox's items and reasons, the card and payment codes, consultations):
 * shown under `FLAG_SECURE`. Service points and settings show none.
 */
val Screen.showsPersonalData: Boolean
    get() = when (this) {
        Screen.Home, is Screen.Form, Screen.Outbox, Screen.Card, Screen.Consultations, Screen.Link -> true
        Screen.ServicePoints, Screen.Settings -> false
    }

/** Root: profile choice first, then the screens of one open profile. */
@Composable
fun RantauApp(settings: Settings, onLanguage: (Lang) -> Unit) {
    val context = LocalContext.current
    val profilesDir = remember { File(context.filesDir, "profiles") }
    var app by remember { mutableStateOf<Rantau?>(null) }
    // The open profile has a PIN this instance was not unlocked with: the PIN screen first.
    var locked by remember { mutableStateOf(false) }
    var openProblem by remember { mutableStateOf<OpenProblem?>(null) }
    // Bumped to open the profile again (after a damaged file was set aside).
    var attempt by remember { mutableStateOf(0) }
    val scope = rememberCoroutineScope()
    var profile by remember { mutableStateOf(settings.lastProfile) }
    val stack = rememberSaveable(saver = StackSaver) { mutableStateListOf<Screen>(Screen.Home) }

    MaterialTheme {
        val open = app
        if (profile == null) {
            ProfileScreen(
                profilesDir = profilesDir,
                language = settings.language,
                onLanguage = { settings.language = it; onLanguage(it) },
                onChosen = { name -> settings.lastProfile = name; profile = name },
            )
            return@MaterialTheme
        }
        LaunchedEffect(profile, attempt) {
            val name = profile ?: return@LaunchedEffect
            openProblem = null
            try {
                val (key, create) = ProfileKey.get(context, name)
                val fresh = create || !File(profilesDir, "$name.db").exists()
                val opened = Rantau.withKey(profilesDir, name, key, fresh).also { it.setLanguage(settings.language) }
                locked = opened.pinStatus().let { it.hasPin && !it.unlocked }
                app = opened
                SyncWorker.schedulePeriodic(context, name)
            } catch (e: RantauException) {
                openProblem = OpenProblem.Core(e)
            } catch (e: GeneralSecurityException) {
                openProblem = OpenProblem.KeyUnavailable
            } catch (e: IOException) {
                // KeyStore.load: the keystore service itself failed.
                openProblem = OpenProblem.KeyUnavailable
            }
        }
        DisposableEffect(profile) { onDispose { app?.close(); app = null } }
        val problem = openProblem
        val chosen = profile
        if (open == null && problem != null && chosen != null) {
            ProfileProblemScreen(
                name = chosen,
                problem = problem,
                language = settings.language,
                onSetAside = {
                    scope.launch {
                        try {
                            Rantau.setAsideDamaged(profilesDir, chosen, ProfileKey.get(context, chosen).first)
                            attempt++
                        } catch (e: RantauException) {
                            openProblem = OpenProblem.Core(e)
                        } catch (e: GeneralSecurityException) {
                            openProblem = OpenProblem.KeyUnavailable
                        }
                    }
                },
                onOtherProfile = {
                    settings.lastProfile = null
                    profile = null
                },
            )
            return@MaterialTheme
        }
        if (open == null) return@MaterialTheme

        val name = profile ?: return@MaterialTheme
        // Back after a long absence: a profile with a PIN asks for it again (Foreground).
        val absences by Foreground.longAbsences.collectAsState()
        var absencesSeen by rememberSaveable { mutableStateOf(absences) }
        LaunchedEffect(absences) {
            if (absences != absencesSeen) {
                absencesSeen = absences
                open.lockAgain()
                locked = open.pinStatus().let { it.hasPin && !it.unlocked }
            }
        }
        if (locked) {
            // The title is not the worker's name: whoever holds the phone may not know it.
            PinScreen(open, title = "Rantau", language = settings.language, onUnlocked = { locked = false }, onOtherProfile = {
                settings.lastProfile = null
                profile = null
            })
            return@MaterialTheme
        }
        val go: (Screen) -> Unit = { stack.add(it) }
        val back: () -> Unit = { if (stack.size > 1) stack.removeAt(stack.lastIndex) }
        BackHandler(enabled = stack.size > 1, onBack = back)
        val syncSoon = { SyncWorker.syncNow(context, name) }
        SecureWhileShown(secure = stack.last().showsPersonalData)
        when (val screen = stack.last()) {
            Screen.Home -> HomeScreen(open, go = go, onSync = syncSoon, onSwitchProfile = {
                settings.lastProfile = null
                profile = null
            })
            is Screen.Form -> FormScreen(
                open,
                settings.language,
                screen.formId,
                screen.draftId,
                // Saved by its draft from now on (see StackSaver).
                onOpened = { id -> if (screen.draftId == null) stack[stack.lastIndex] = Screen.Form(draftId = id) },
                onDone = { queued ->
                    back()
                    if (queued) syncSoon()
                },
            )
            Screen.Outbox -> OutboxScreen(open, onFix = { draftId -> go(Screen.Form(draftId = draftId)) }, onBack = back)
            Screen.Card -> CardScreen(open, onBack = back)
            Screen.Consultations -> ConsultationsScreen(open, onNew = { go(Screen.Form(formId = "consultation")) }, onBack = back)
            Screen.ServicePoints -> ServicePointsScreen(open, settings.language, onBack = back)
            Screen.Link -> LinkScreen(open, settings.language, onLinked = back, onBack = back)
            Screen.Settings -> SettingsScreen(settings, open, onLanguage = { lang ->
                settings.language = lang
                onLanguage(lang)
            }, onBack = back)
        }
    }
}
