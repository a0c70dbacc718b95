package id.rantau

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import id.rantau.core.Reply
import java.util.TimeZone

class DisplayTest {
    @Test
    fun theDatePickersUtcMidnightsAndTheCoresDaysRoundTrip() {
        assertEquals(0L, pickerMillisOfDay("1970-01-01"))
        assertEquals(86_400_000L, pickerMillisOfDay("1970-01-02"))
        assertEquals("1995-08-17", dayOfPickerMillis(nn(pickerMillisOfDay("1995-08-17"))))
        assertEquals("2024-02-29", dayOfPickerMillis(nn(pickerMillisOfDay("2024-02-29"))))
        assertEquals(null, pickerMillisOfDay(""), "an empty field opens the picker on no day")
        assertEquals(null, pickerMillisOfDay("2023-02-29"), "not a day")
        assertEquals(null, pickerMillisOfDay("17-08-1995"), "the stored form only")
    }

    @Test
    fun aReplyShowsOnThePhonesClockDayFirst() {
        // 2026-12-04T23:30:00Z.
        val r = Reply(replyId = "r1", body = "…", from = "Petugas", at = "2026-12-04T23:30:00Z", atMs = 1_796_427_000_000L)
        assertEquals("05-12-2026 07:30", r.whenLabel(TimeZone.getTimeZone("Asia/Hong_Kong")))
        assertEquals("04-12-2026 23:30", r.whenLabel(TimeZone.getTimeZone("UTC")))
        // A zone with summer time, taken at that moment: Amsterdam is +1 in December, +2 in July.
        assertEquals("05-12-2026 00:30", r.whenLabel(TimeZone.getTimeZone("Europe/Amsterdam")))
        val july = r.copy(atMs = 1_783_035_000_000L) // 2026-07-02T23:30:00Z
        assertEquals("03-07-2026 01:30", july.whenLabel(TimeZone.getTimeZone("Europe/Amsterdam")))
    }
}
