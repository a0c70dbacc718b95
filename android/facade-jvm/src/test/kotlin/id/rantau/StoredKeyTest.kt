package id.rantau

import java.util.Base64
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The app's rules for a profile's wrapped key: never a crash, never a second key. */
class StoredKeyTest {
    private val decode: (String) -> ByteArray = { Base64.getDecoder().decode(it) }
    private val encode: (ByteArray) -> String = { Base64.getEncoder().encodeToString(it) }

    @Test
    fun aKeyIsCreatedOnlyWhenNeitherKeyNorDatabaseExists() {
        assertEquals(StoredKey.Plan.Create, StoredKey.plan(null, databaseExists = false, decode))
        // The worker (or the app after its preferences were lost) must not make a new key
        // for a database that exists: that key could never open it.
        assertTrue(StoredKey.plan(null, databaseExists = true, decode) is StoredKey.Plan.Unavailable)
    }

    @Test
    fun aWellFormedStoredKeyIsUnwrapped() {
        val iv = ByteArray(12) { it.toByte() }
        val wrapped = ByteArray(48) { (it * 3).toByte() }
        val stored = StoredKey.format(iv, wrapped, encode)
        for (exists in listOf(true, false)) {
            val plan = StoredKey.plan(stored, exists, decode)
            assertTrue(plan is StoredKey.Plan.Unwrap, "$plan")
            plan as StoredKey.Plan.Unwrap
            assertArrayEquals(iv, plan.iv)
            assertArrayEquals(wrapped, plan.wrapped)
        }
    }

    @Test
    fun aMalformedStoredKeyIsUnavailableNotACrash() {
        val good = encode(ByteArray(48))
        val iv = encode(ByteArray(12))
        for (bad in listOf("", "nocolon", ":", "$iv:", ":$good", "$iv:$good:extra", "!!!:$good", "$iv:***",
            "${encode(ByteArray(16))}:$good", "$iv:${encode(ByteArray(32))}")) {
            for (exists in listOf(true, false)) {
                val plan = StoredKey.plan(bad, exists, decode)
                assertTrue(plan is StoredKey.Plan.Unavailable, "'$bad' gave $plan")
            }
        }
    }
}
