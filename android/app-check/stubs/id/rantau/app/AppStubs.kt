// Signatures of the app's Android-bound objects (Photos.kt, ProfileKey.kt,
// SyncWorker.kt in android/app), which need WorkManager, the Keystore and Bitmap and
// so are not compiled here. Keep these in step with them: the screens are checked
// against these signatures.
package id.rantau.app

import android.content.Context
import android.net.Uri

object Photos {
    fun newCaptureUri(context: Context): Uri = throw UnsupportedOperationException("stub")
    fun compressed(context: Context, uri: Uri): ByteArray? = throw UnsupportedOperationException("stub")
    fun read(context: Context, uri: Uri): Pair<ByteArray, String?>? = throw UnsupportedOperationException("stub")
}

object ProfileKey {
    fun get(context: Context, name: String): Pair<ByteArray, Boolean> = throw UnsupportedOperationException("stub")
}

class SyncWorker {
    companion object {
        fun schedulePeriodic(context: Context, profile: String, wifiOnly: Boolean, notRoaming: Boolean) {}
        fun syncNow(context: Context, profile: String, wifiOnly: Boolean, notRoaming: Boolean) {}
    }
}
