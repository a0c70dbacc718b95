// Signatures of the app's Android-bound objects (Photos.kt, CardImage.kt, Reminders.kt, ProfileKey.kt, Backups.kt,
// SyncWorker.kt, SecureWindow.kt, Networks.kt in android/app), which need WorkManager, the
// Keystore, Bitmap and the activity's window and so are not compiled here. Keep these
// in step with them: the screens are checked against these signatures.
package id.rantau.app

import android.content.Context
import android.net.Uri
import androidx.compose.ui.graphics.ImageBitmap
import id.rantau.core.PhotoPlan
import id.rantau.core.Network
import java.io.File

object Photos {
    fun newCaptureUri(context: Context): Uri = throw UnsupportedOperationException("stub")
    fun takeCapture(context: Context, uri: Uri?, ok: Boolean, plan: PhotoPlan): ByteArray? = throw UnsupportedOperationException("stub")
    fun discardCaptures(context: Context) {}
    fun compressed(context: Context, uri: Uri, plan: PhotoPlan): ByteArray? = throw UnsupportedOperationException("stub")
    fun read(context: Context, uri: Uri, plan: PhotoPlan): Pair<ByteArray, String?>? = throw UnsupportedOperationException("stub")
    fun preview(bytes: ByteArray): ImageBitmap? = throw UnsupportedOperationException("stub")
}

object CardImage {
    fun saveToGallery(context: Context, text: String): Boolean = throw UnsupportedOperationException("stub")
    fun share(context: Context, text: String) {}
}

object Backups {
    fun scratch(context: Context): File = throw UnsupportedOperationException("stub")
    fun copyOut(context: Context, file: File, uri: Uri): Boolean = throw UnsupportedOperationException("stub")
    fun copyIn(context: Context, uri: Uri, file: File): Boolean = throw UnsupportedOperationException("stub")
}

object ProfileKey {
    fun get(context: Context, name: String): Pair<ByteArray, Boolean> = throw UnsupportedOperationException("stub")
}

object SecureWindow {
    fun set(context: Context, secure: Boolean) {}
}

class SyncWorker {
    companion object {
        fun schedulePeriodic(context: Context, profile: String) {}
        fun syncNow(context: Context, profile: String) {}
    }
}

object BuildConfigUrl {
    const val SERVER = "https://api.rantau.example"
}

object Networks {
    fun current(context: Context): Network = throw UnsupportedOperationException("stub")
}

object Reminders {
    const val PERMISSION = "android.permission.POST_NOTIFICATIONS"
    fun shouldAsk(context: Context, hasReminders: Boolean): Boolean = throw UnsupportedOperationException("stub")
}
