package id.rantau.app

import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.core.content.FileProvider
import id.rantau.core.PhotoPlan
import id.rantau.jpegQualities
import id.rantau.sampleSize
import id.rantau.targetSize
import java.io.ByteArrayOutputStream
import java.io.File

/**
 * Camera capture and on-device compression of document photos. The camera writes the
 * full-size photo into a folder that backups never copy (`noBackupFilesDir/capture`);
 * the core then keeps the compressed JPEG encrypted in the profile. The plain capture
 * is deleted on every path: after compression, on cancel, when the result reaches a
 * recreated activity, and — for a process that died in between — at the next start
 * ([discardCaptures] from `RantauApplication.onCreate`).
 */
object Photos {
    private fun captureDir(context: Context) = File(context.noBackupFilesDir, "capture")

    /** A fresh content URI the camera app writes the full-size photo to. */
    fun newCaptureUri(context: Context): Uri {
        // One capture at a time: anything left in the folder was abandoned.
        discardCaptures(context)
        val dir = captureDir(context).apply { mkdirs() }
        val file = File.createTempFile("page", ".jpg", dir)
        return FileProvider.getUriForFile(context, "${context.packageName}.capture", file)
    }

    /**
     * The camera came back: the photo at [uri] compressed per [plan] when [ok], else
     * `null`; the raw capture is deleted either way (also when [uri] was lost with a
     * recreated activity).
     */
    fun takeCapture(context: Context, uri: Uri?, ok: Boolean, plan: PhotoPlan): ByteArray? = try {
        if (ok && uri != null) compressed(context, uri, plan) else null
    } finally {
        discardCaptures(context)
    }

    /** Deletes every plain capture (the folder stays, for a camera that is still writing). */
    fun discardCaptures(context: Context) {
        runCatching { captureDir(context).listFiles()?.forEach { it.delete() } }
    }

    /** The photo at [uri] shrunk per the document's [plan]; `null` if it cannot be decoded. */
    fun compressed(context: Context, uri: Uri, plan: PhotoPlan): ByteArray? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, bounds) }
        val opts = BitmapFactory.Options().apply { inSampleSize = plan.sampleSize(bounds.outWidth, bounds.outHeight) }
        val decoded = context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, opts) }
        return decoded?.let { bitmap ->
            val (w, h) = plan.targetSize(bitmap.width, bitmap.height)
            val scaled = if (w == bitmap.width) bitmap else Bitmap.createScaledBitmap(bitmap, w, h, true)
            var out = ByteArray(0)
            for (q in plan.jpegQualities) {
                out = ByteArrayOutputStream().also { scaled.compress(Bitmap.CompressFormat.JPEG, q, it) }.toByteArray()
                if (out.size <= plan.maxBytes.toInt()) break
            }
            out
        }
    }

    /**
     * A stored page as a picture to look at, decoded at most about 2,048 px on its long
     * side (a cheap phone's memory); `null` for a PDF or anything that does not decode.
     */
    fun preview(bytes: ByteArray): ImageBitmap? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return null
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / (sample * 2) >= 2048) sample *= 2
        val opts = BitmapFactory.Options().apply { inSampleSize = sample }
        return BitmapFactory.decodeByteArray(bytes, 0, bytes.size, opts)?.asImageBitmap()
    }

    /** A picked file's bytes and type (a PDF contract, or a photo from the gallery, compressed per [plan]). */
    fun read(context: Context, uri: Uri, plan: PhotoPlan): Pair<ByteArray, String?>? {
        val mime = context.contentResolver.getType(uri)
        if (mime != null && mime.startsWith("image/")) return compressed(context, uri, plan)?.let { it to "image/jpeg" }
        return context.contentResolver.openInputStream(uri)?.use { it.readBytes() }?.let { it to mime }
    }
}
