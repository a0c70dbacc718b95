package id.rantau

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

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
}
