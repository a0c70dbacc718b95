package id.rantau.app

import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import androidx.core.content.FileProvider
import id.rantau.PhotoPlan
import java.io.ByteArrayOutputStream
import java.io.File

/**
 * Camera capture and on-device compression of document photos. The capture file
 * lives in the app's cache only until it is compressed; the core then keeps the
 * JPEG encrypted in the profile and the plain file is deleted.
 */
object Photos {
    /** A fresh content URI the camera app writes the full-size photo to. */
    fun newCaptureUri(context: Context): Uri {
        val dir = File(context.cacheDir, "capture").apply { mkdirs() }
        val file = File.createTempFile("page", ".jpg", dir)
        return FileProvider.getUriForFile(context, "${context.packageName}.capture", file)
    }

    /** The photo at [uri] shrunk per [PhotoPlan]; `null` if it cannot be decoded. */
    fun compressed(context: Context, uri: Uri): ByteArray? = try {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, bounds) }
        val opts = BitmapFactory.Options().apply { inSampleSize = PhotoPlan.sampleSize(bounds.outWidth, bounds.outHeight) }
        val decoded = context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, opts) }
        decoded?.let { bitmap ->
            val (w, h) = PhotoPlan.targetSize(bitmap.width, bitmap.height)
            val scaled = if (w == bitmap.width) bitmap else Bitmap.createScaledBitmap(bitmap, w, h, true)
            var out = ByteArray(0)
            for (q in PhotoPlan.QUALITIES) {
                out = ByteArrayOutputStream().also { scaled.compress(Bitmap.CompressFormat.JPEG, q, it) }.toByteArray()
                if (out.size <= PhotoPlan.MAX_BYTES) break
            }
            out
        }
    } finally {
        // The plain capture must not outlive the encrypted copy.
        runCatching { File(context.cacheDir, "capture").listFiles()?.forEach { it.delete() } }
    }

    /** A picked file's bytes and type (a PDF contract, or a photo from the gallery, compressed). */
    fun read(context: Context, uri: Uri): Pair<ByteArray, String?>? {
        val mime = context.contentResolver.getType(uri)
        if (mime != null && mime.startsWith("image/")) return compressed(context, uri)?.let { it to "image/jpeg" }
        return context.contentResolver.openInputStream(uri)?.use { it.readBytes() }?.let { it to mime }
    }
}
