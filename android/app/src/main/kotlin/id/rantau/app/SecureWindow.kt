package id.rantau.app

import android.app.Activity
import android.content.Context
import android.content.ContextWrapper
import android.view.WindowManager

/**
 * `FLAG_SECURE` on the activity's window while a screen shows personal data (NIK,
 * passport, names, phone numbers, the KPJ card, payment codes): no screenshots, no
 * screen recording, and a blank thumbnail in the recent-apps list. The screens switch
 * it through `ui.SecureWhileShown`.
 */
object SecureWindow {
    /** Sets ([secure]) or clears the flag on the window of the activity behind [context]. */
    fun set(context: Context, secure: Boolean) {
        val window = context.activity()?.window ?: return
        if (secure) {
            window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
        }
    }

    private tailrec fun Context.activity(): Activity? = when (this) {
        is Activity -> this
        is ContextWrapper -> baseContext.activity()
        else -> null
    }
}
