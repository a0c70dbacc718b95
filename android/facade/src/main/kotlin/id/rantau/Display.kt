package id.rantau

import java.text.ParseException
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone
import kotlin.math.max

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
 * How to shrink a camera photo before it is attached: documents stay readable at
 * 1,600 px on the long side, and a JPEG of that is 150–400 KB — a few minutes on a
 * slow prepaid link instead of the camera's 3–5 MB.
 */
object PhotoPlan {
    /** Longest side kept, in pixels. */
    const val MAX_SIDE = 1600

    /** Largest file sent for one page; the core's own cap is 5 MiB. */
    const val MAX_BYTES = 600 * 1024

    /** JPEG qualities tried in order until the file fits [MAX_BYTES]. */
    val QUALITIES = listOf(85, 75, 65, 50)

    /** The power-of-two decoder subsampling that brings the long side nearest above [MAX_SIDE]. */
    fun sampleSize(width: Int, height: Int): Int {
        var sample = 1
        val longSide = max(width, height)
        while (longSide / (sample * 2) >= MAX_SIDE) sample *= 2
        return sample
    }

    /** The final size after subsampling: the long side scaled down to at most [MAX_SIDE]. */
    fun targetSize(width: Int, height: Int): Pair<Int, Int> {
        val longSide = max(width, height)
        if (longSide <= MAX_SIDE || longSide == 0) return width to height
        val scale = MAX_SIDE.toDouble() / longSide
        return max(1, (width * scale).toInt()) to max(1, (height * scale).toInt())
    }
}
