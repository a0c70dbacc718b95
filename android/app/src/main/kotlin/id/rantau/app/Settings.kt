package id.rantau.app

import android.content.Context
import id.rantau.core.Lang

/** The user's choices, kept in plain preferences (nothing secret here). */
class Settings(context: Context) {
    private val prefs = context.getSharedPreferences("rantau-settings", Context.MODE_PRIVATE)

    /** Lang of the app and of the core's messages (Indonesian by default). */
    var language: Lang
        get() = if (prefs.getString("language", "id") == "en") Lang.EN else Lang.ID
        set(value) = prefs.edit().putString("language", if (value == Lang.EN) "en" else "id").apply()

    /** Sync only on Wi-Fi (unmetered networks). */
    var wifiOnly: Boolean
        get() = prefs.getBoolean("wifi_only", false)
        set(value) = prefs.edit().putBoolean("wifi_only", value).apply()

    /** Never sync while roaming (on by default: roaming data is ruinous). */
    var notRoaming: Boolean
        get() = prefs.getBoolean("not_roaming", true)
        set(value) = prefs.edit().putBoolean("not_roaming", value).apply()

    /** The profile opened last, if any. */
    var lastProfile: String?
        get() = prefs.getString("last_profile", null)
        set(value) = prefs.edit().putString("last_profile", value).apply()
}
