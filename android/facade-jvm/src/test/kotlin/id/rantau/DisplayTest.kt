package id.rantau

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class DisplayTest {
    @Test
    fun photosShrinkToTheLongSideBudget() {
        assertEquals(1, PhotoPlan.sampleSize(1200, 900))
        assertEquals(2, PhotoPlan.sampleSize(4000, 3000))
        assertEquals(4, PhotoPlan.sampleSize(6400, 4800))
        val (w, h) = PhotoPlan.targetSize(4000, 3000)
        assertEquals(1600, w)
        assertEquals(1200, h)
        assertEquals(800 to 600, PhotoPlan.targetSize(800, 600))
        for ((width, height) in listOf(4000 to 3000, 3000 to 4000, 1601 to 10)) {
            val s = PhotoPlan.sampleSize(width, height)
            assertTrue(maxOf(width, height) / s >= PhotoPlan.MAX_SIDE, "subsampling never goes below the target")
        }
    }

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
