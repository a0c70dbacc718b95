package id.rantau.app

import android.content.Context
import android.net.Uri
import java.io.File

/**
 * Moves backup files between the app's private cache and the place the worker picks
 * in the system's file picker (a memory card, a cloud drive, a chat). The core reads
 * and writes only files it owns; the file it writes is already sealed, so the copy
 * outside holds nothing readable without the passphrase.
 */
object Backups {
    /** A private scratch file for one backup, empty. */
    fun scratch(context: Context): File = File(context.cacheDir, "backup.rantau").also { it.delete() }

    /** Copies [file] to [uri]; false when the destination cannot be written. */
    fun copyOut(context: Context, file: File, uri: Uri): Boolean = runCatching {
        context.contentResolver.openOutputStream(uri)?.use { out -> file.inputStream().use { it.copyTo(out) } } != null
    }.getOrDefault(false)

    /** Copies [uri] to [file]; false when the source cannot be read. */
    fun copyIn(context: Context, uri: Uri, file: File): Boolean = runCatching {
        context.contentResolver.openInputStream(uri)?.use { input -> file.outputStream().use { input.copyTo(it) } } != null
    }.getOrDefault(false)
}
