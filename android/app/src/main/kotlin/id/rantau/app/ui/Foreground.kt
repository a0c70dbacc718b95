package id.rantau.app.ui

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow

/**
 * When the app left the screen and when it came back (the activity's onStop and
 * onStart call in): a profile with a PIN locks again after a long absence, so a
 * phone put down and picked up by someone else shows the PIN screen.
 */
object Foreground {
    /**
     * Away this long and the PIN is asked again. Longer than a photo in the camera
     * app usually takes: the form leaves the screen while the PIN is asked, and a
     * capture coming back then would be lost.
     */
    const val LOCK_AFTER_MS = 5 * 60_000L

    private var stoppedAt: Long? = null
    private val absences = MutableStateFlow(0)

    /** Counts the returns after at least [LOCK_AFTER_MS] away. */
    val longAbsences: StateFlow<Int> get() = absences

    /** The app left the screen ([nowMs]: a monotonic clock). */
    fun stopped(nowMs: Long = System.nanoTime() / 1_000_000) {
        stoppedAt = nowMs
    }

    /** The app is on the screen again. */
    fun started(nowMs: Long = System.nanoTime() / 1_000_000) {
        val at = stoppedAt ?: return
        stoppedAt = null
        if (nowMs - at >= LOCK_AFTER_MS) absences.value += 1
    }
}
