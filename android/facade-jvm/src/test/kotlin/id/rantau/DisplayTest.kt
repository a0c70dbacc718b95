package id.rantau

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class DisplayTest {
    @Test
    fun rupiahIsGroupedWithDots() {
        assertEquals("Rp 0", formatRupiah(0u))
        assertEquals("Rp 999", formatRupiah(999u))
        assertEquals("Rp 37.500", formatRupiah(37_500u))
        assertEquals("Rp 1.234.567", formatRupiah(1_234_567u))
    }

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
}
