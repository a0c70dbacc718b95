package id.rantau.app

import android.content.Context

/**
 * Gives the core's certificate verifier (rustls-platform-verifier, inside
 * `librantau_ffi.so`) the app's context, so HTTPS certificates are checked by
 * Android's own trust manager. Called once from [RantauApplication.onCreate],
 * before any sync; without it the first handshake fails. The native side is
 * `bindings/src/android.rs` (`Java_id_rantau_app_NativeTls_init`); the verifier's
 * Kotlin half (`org.rustls:rustls-platform-verifier`) is in app/build.gradle.kts.
 */
object NativeTls {
    init {
        // The same library the uniffi bindings open through JNA; loading it twice is one load.
        System.loadLibrary("rantau_ffi")
    }

    /** Registers [context] (the application's) with the verifier; later calls do nothing. */
    @JvmStatic
    external fun init(context: Context)
}
