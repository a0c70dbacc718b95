package id.rantau.app

import android.content.Context
import id.rantau.core.Lang

/**
 * The app's choices, kept in plain preferences (nothing secret here). Data-use
 * settings belong to the profile and live in the core.
 */
class Settings(context: Context) {
    private val prefs = context.getSharedPreferences("rantau-settings", Context.MODE_PRIVATE)

    /** Lang of the app and of the core's messages (Indonesian by default). */
    var language: Lang
        get() = if (prefs.getString("language", "id") == "en") Lang.EN else Lang.ID
        set(value) = prefs.edit().putString("language", if (value == Lang.EN) "en" else "id").apply()

    /** The profile opened last, if any. */
    var lastProfile: String?
        get() = prefs.getString("last_profile", null)
        set(value) = prefs.edit().putString("last_profile", value).apply()
}
