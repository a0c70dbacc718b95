package id.rantau.app

import android.app.Application

/**
 * Process start, before any activity or background sync: the TLS verifier gets the
 * app's context, and document photos a killed process left behind are deleted.
 */
class RantauApplication : Application() {
    override fun onCreate() {
        super.onCreate()
        // A verifier that cannot start must not stop the app: forms are filled and kept
        // offline, and a sync then fails with an error instead of the app crashing.
        runCatching { NativeTls.init(this) }
        Photos.discardCaptures(this)
    }
}
