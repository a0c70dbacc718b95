package id.rantau

import java.text.ParseException
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone
import id.rantau.core.PhotoPlan
import id.rantau.core.Reply
import id.rantau.ffi.displayTime
import id.rantau.ffi.photoSampleSize
import id.rantau.ffi.photoTargetSize

/** A day as the core stores it (`YYYY-MM-DD`), in UTC: Material's date picker counts days as UTC midnights. */
private fun dayFormat() = SimpleDateFormat("yyyy-MM-dd", Locale.ROOT).apply {
    timeZone = TimeZone.getTimeZone("UTC")
    isLenient = false
}

/**
 * The date picker's selection (UTC midnight, ms) for the core's stored day [day]
 * (`FieldSlot.text` of a date field); `null` when it is empty or not a day yet.
 * (`java.time` would need desugaring below Android 8.)
 */
fun pickerMillisOfDay(day: String): Long? =
    if (day.length != 10) null else try {
        dayFormat().parse(day)?.time
    } catch (e: ParseException) {
        null
    }

/** The day the date picker selected ([millis], UTC midnight) as the core takes it: `YYYY-MM-DD`. */
fun dayOfPickerMillis(millis: Long): String = dayFormat().format(Date(millis))

/**
 * When the officer replied, on the phone's clock (`DD-MM-YYYY HH:MM`): the core
 * formats; the phone only says its offset from UTC at that moment ([zone], DST included).
 */
fun Reply.whenLabel(zone: TimeZone = TimeZone.getDefault()): String =
    displayTime(atMs, zone.getOffset(atMs) / 60_000)

/**
 * The decoder subsampling (a power of two) for a [width] × [height] camera photo of a
 * document under this plan (`FieldSlot.photo`): the core decides, per document.
 */
fun PhotoPlan.sampleSize(width: Int, height: Int): Int =
    photoSampleSize(this, width.toUInt(), height.toUInt()).toInt()

/** The size a decoded photo is scaled to under this plan before it is compressed. */
fun PhotoPlan.targetSize(width: Int, height: Int): Pair<Int, Int> =
    photoTargetSize(this, width.toUInt(), height.toUInt()).let { it.width.toInt() to it.height.toInt() }

/** The JPEG qualities to try in turn until a page fits [PhotoPlan.maxBytes]. */
val PhotoPlan.jpegQualities: List<Int> get() = qualities.map { it.toInt() }
