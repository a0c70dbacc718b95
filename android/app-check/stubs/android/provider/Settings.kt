// Signature stub of android.provider.Settings: the screens open the network settings.
// Never run, never shipped.
package android.provider

object Settings {
    const val ACTION_WIRELESS_SETTINGS: String = "android.settings.WIRELESS_SETTINGS"
}
