package id.rantau.app

import android.content.ContentValues
import android.content.Context
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.RectF
import android.graphics.Typeface
import android.os.Build
import android.provider.MediaStore
import androidx.core.content.FileProvider
import java.io.File

/**
 * The membership card as a picture: the core's worded card (`Card.shareText`: a title
 * line, then the KPJ and the reference) drawn on a card-shaped PNG, saved to the
 * gallery or handed to the share sheet. Nothing here decides what the card says.
 */
object CardImage {
    private const val WIDTH = 1012 // ID-1 proportions (85.6 × 54 mm) at about 300 dpi
    private const val HEIGHT = 638

    /** The card's [text] (its first line the title) drawn as a PNG. */
    private fun render(text: String): Bitmap {
        val bitmap = Bitmap.createBitmap(WIDTH, HEIGHT, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        canvas.drawColor(Color.WHITE)
        val band = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = Color.rgb(0, 122, 74) }
        canvas.drawRoundRect(RectF(0f, 0f, WIDTH.toFloat(), 150f), 24f, 24f, band)
        val title = Paint(Paint.ANTI_ALIAS_FLAG).apply {
            color = Color.WHITE
            textSize = 52f
            typeface = Typeface.DEFAULT_BOLD
        }
        val body = Paint(Paint.ANTI_ALIAS_FLAG).apply {
            color = Color.BLACK
            textSize = 44f
        }
        val lines = text.lines()
        canvas.drawText(lines.firstOrNull().orEmpty(), 48f, 96f, title)
        lines.drop(1).forEachIndexed { i, line -> canvas.drawText(line, 48f, 260f + i * 90f, body) }
        return bitmap
    }

    /**
     * Saves the card to the gallery (Pictures/Rantau); false where that needs a
     * storage permission (Android 9 and older): the screen then offers [share].
     */
    fun saveToGallery(context: Context, text: String): Boolean {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.Q) return false
        val values = ContentValues().apply {
            put(MediaStore.Images.Media.DISPLAY_NAME, "kartu-bpjs-ketenagakerjaan.png")
            put(MediaStore.Images.Media.MIME_TYPE, "image/png")
            put(MediaStore.Images.Media.RELATIVE_PATH, "Pictures/Rantau")
        }
        val resolver = context.contentResolver
        val uri = resolver.insert(MediaStore.Images.Media.EXTERNAL_CONTENT_URI, values) ?: return false
        val written = runCatching {
            resolver.openOutputStream(uri)?.use { render(text).compress(Bitmap.CompressFormat.PNG, 100, it) } ?: false
        }.getOrDefault(false)
        if (!written) resolver.delete(uri, null, null)
        return written
    }

    /** Hands the card as a PNG to the system's share sheet (a chat, the gallery, a printer). */
    fun share(context: Context, text: String) {
        val dir = File(context.noBackupFilesDir, "share").apply { mkdirs() }
        val file = File(dir, "kartu-bpjs-ketenagakerjaan.png")
        file.outputStream().use { render(text).compress(Bitmap.CompressFormat.PNG, 100, it) }
        val uri = FileProvider.getUriForFile(context, "${context.packageName}.capture", file)
        val send = Intent(Intent.ACTION_SEND).setType("image/png")
            .putExtra(Intent.EXTRA_STREAM, uri)
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        context.startActivity(Intent.createChooser(send, null))
    }
}
