package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.Lang
import id.rantau.ffi.RantauException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.security.SecureRandom

/**
 * A new phone through the facade: the old phone's profile written to a backup file and
 * restored on another "phone" with a new key; what was on its way is sent once, from
 * the new phone, with the old phone's credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupTest {
    private lateinit var server: ReferenceServer

    @BeforeAll
    fun start() {
        server = ReferenceServer()
    }

    @AfterAll
    fun stop() = server.close()

    private val pass = "kopi susu di Hong Kong"

    private fun newKey() = ByteArray(32).also { SecureRandom().nextBytes(it) }

    @Test
    fun aBackupRestoredOnANewPhoneSendsWhatWasOnItsWayOnce() = runBlocking {
        val file = File(tempDir(), "ani.rantau-backup")
        val regId: String
        Rantau.withKey(tempDir(), "ani", newKey(), create = true).use { old ->
            old.setLanguage(Lang.EN)
            // Enrolled (credentials in the profile), then a registration finalized offline.
            old.sync(server.url)
            val draft = old.draftWith("pmi-registration", registrationInputs())
            attachRegistrationDocuments(draft)
            regId = old.finalize(draft.screen().draftId).id
            old.draftWith("consultation", listOf("subject" to id.rantau.core.FieldInput.Text("Kapan JHT cair?")))

            val weak = assertThrows<RantauException.InvalidInput> { runBlocking { old.exportBackup(file, "pendek") } }
            assertEquals("backup.weak_passphrase", weak.code)
            assertFalse(file.exists())
            val written = old.exportBackup(file, pass)
            assertEquals(1u, written.inFlight)
            assertEquals(1u, written.drafts)
            assertTrue(written.documents > 0u, written.toString())
        }

        // The new phone: checked first, then restored; a wrong passphrase changes nothing.
        val phone = tempDir()
        val wrong = assertThrows<RantauException.WrongKey> {
            runBlocking { Rantau.importBackup(phone, "ani", newKey(), file, "not the passphrase") }
        }
        assertEquals("backup.wrong_passphrase", wrong.code)
        assertTrue(phone.listFiles().isNullOrEmpty(), phone.listFiles()?.toList().toString())
        assertEquals(1u, Rantau.inspectBackup(file, pass).inFlight)

        Rantau.importBackup(phone, "ani", newKey(), file, pass).use { restored ->
            restored.setLanguage(Lang.EN)
            assertEquals(1, restored.drafts().size, "the draft came along")
            assertEquals(Bucket.WAITING_TO_SEND, restored.outbox().single { it.id == regId }.bucket)
            restored.sync(server.url)
            assertEquals(Bucket.ACCEPTED, restored.outbox().single { it.id == regId }.bucket)
        }
        val listed = server.officer("list")
        assertEquals(1, Regex("\"id\":\\s*\"" + Regex.escape(regId) + "\"").findAll(listed).count(), listed)
    }
}
