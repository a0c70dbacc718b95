package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.Lang
import id.rantau.ffi.RantauException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.security.SecureRandom

/**
 * A shared phone through the facade: a PIN on the worker's profile keeps the app's screens
 * out while the background sync (the same key, no PIN) still delivers what was finalized;
 * the profile list shows numbered labels instead of names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinTest {
    private lateinit var server: ReferenceServer

    @BeforeAll
    fun start() {
        server = ReferenceServer()
    }

    @AfterAll
    fun stop() = server.close()

    private fun newKey() = ByteArray(32).also { SecureRandom().nextBytes(it) }

    @Test
    fun aPinKeepsTheScreensOutButNotTheBackgroundSync() = runBlocking {
        val dir = tempDir()
        val key = newKey()
        val consultation: String
        Rantau.withKey(dir, "siti", key, create = true).use { app ->
            app.setLanguage(Lang.EN)
            assertFalse(app.pinStatus().hasPin)
            val easy = assertThrows<RantauException.InvalidInput> { runBlocking { app.setPin("1234") } }
            assertEquals("pin.trivial", easy.code)
            app.setPin("482915")
            // Finalized offline, not yet sent.
            val draft = app.draftWith("consultation", consultationInputs(null))
            consultation = app.finalize(draft.screen().draftId).id
        }

        // Reopened (the app started again): locked until the PIN.
        Rantau.withKey(dir, "siti", key, create = false).use { app ->
            app.setLanguage(Lang.EN)
            val status = app.pinStatus()
            assertTrue(status.hasPin && !status.unlocked, status.toString())
            assertEquals("pin.required", assertThrows<RantauException.WrongKey> { runBlocking { app.drafts() } }.code)
            assertEquals("pin.required", assertThrows<RantauException.WrongKey> { runBlocking { app.outbox() } }.code)
            val wrong = assertThrows<RantauException.WrongKey> { runBlocking { app.unlock("111222") } }
            assertEquals("pin.wrong", wrong.code)
            assertEquals(4u, app.pinStatus().attemptsLeft)
            assertEquals("4 tries left before a wait.", app.pinStatus().line)
        }

        // The background sync: the stored key, no PIN; it delivers the consultation.
        Rantau.withKey(dir, "siti", key, create = false).use { worker ->
            val status = worker.sync(server.url)
            assertNull(status.error, status.toString())
            assertTrue(worker.reminders().isEmpty())
            assertFalse(worker.pinStatus().unlocked)
        }

        // The worker opens the app: the wrong try is still counted until the right PIN.
        Rantau.withKey(dir, "siti", key, create = false).use { app ->
            assertEquals(4u, app.pinStatus().attemptsLeft)
            app.unlock("482915")
            assertEquals(Bucket.ACCEPTED, app.outbox().single { it.id == consultation }.bucket)
            assertEquals(5u, app.pinStatus().attemptsLeft)
            app.changePin("482915", "5931")
            app.lockAgain()
            assertThrows<RantauException.WrongKey> { runBlocking { app.drafts() } }
            app.removePin("5931")
            assertTrue(app.drafts().isEmpty())
        }
        val listed = server.officer("list")
        assertEquals(1, Regex("\"id\":\\s*\"" + Regex.escape(consultation) + "\"").findAll(listed).count(), listed)
    }

    @Test
    fun theProfileListCanHideNames() = runBlocking {
        val dir = tempDir()
        for (name in listOf("siti", "ani")) Rantau.withKey(dir, name, newKey(), create = true).close()
        assertEquals(listOf("ani", "siti"), Rantau.profiles(dir, Lang.ID).map { it.label })
        Rantau.setNamesHidden(dir, true)
        assertTrue(Rantau.namesHidden(dir))
        val hidden = Rantau.profiles(dir, Lang.EN)
        assertEquals(listOf("Profile 1", "Profile 2"), hidden.map { it.label })
        assertEquals(listOf("ani", "siti"), hidden.map { it.name })
        Rantau.setNamesHidden(dir, false)
        assertEquals("siti", Rantau.profiles(dir, Lang.ID)[1].label)
    }
}
