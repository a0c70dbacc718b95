package id.rantau

import id.rantau.core.Lang
import id.rantau.core.LinkChannel
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
import java.io.File

/**
 * "Saya sudah terdaftar" through the facade: a worker an officer imported (registered by
 * their placement company) links a fresh phone with the code an officer issues
 * (`rantau-server officer link-code`), and sees their card and status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinkTest {
    private lateinit var server: ReferenceServer
    private val nik = "3515144508680002"
    private val kpj = "12345678907"

    @BeforeAll
    fun start() {
        server = ReferenceServer()
        val csv = File(tempDir(), "people.csv")
        csv.writeText("nik,name,birth_date,kpj,start,end\n$nik,Siti Aminah,1968-08-05,$kpj,2026-01-01,2027-12-31\n")
        server.officer("import", csv.path)
    }

    @AfterAll
    fun stop() = server.close()

    private fun officerCode(): String =
        Regex(""""code"\s*:\s*"(\d{6})"""").find(server.officer("link-code", nik))!!.groupValues[1]

    @Test
    fun anImportedWorkerLinksAFreshPhoneWithAnOfficersCode() = runBlocking {
        Rantau.create(tempDir(), "siti", Rantau.generateKeyHex()).use { phone ->
            phone.setLanguage(Lang.EN)
            assertFalse(phone.statusCard().registered)

            val bad = assertThrows<RantauException.InvalidInput> {
                runBlocking { phone.linkStart(server.url, "123", "05-08-1968", LinkChannel.OFFICER) }
            }
            assertEquals("link.invalid", bad.code)

            val pending = phone.linkStart(server.url, nik, "05-08-1968", LinkChannel.OFFICER)
            assertTrue(pending.message.contains("officer"), pending.message)
            assertTrue(phone.linkPending())
            val code = officerCode()

            val wrong = assertThrows<RantauException.InvalidInput> {
                runBlocking { phone.linkConfirm(server.url, if (code == "000000") "111111" else "000000") }
            }
            assertEquals("link.code_wrong", wrong.code)
            assertNull(phone.card())

            val linked = phone.linkConfirm(server.url, code)
            assertEquals(kpj, linked.kpj)
            assertFalse(phone.linkPending())
            val card = phone.statusCard()
            assertTrue(card.registered, card.toString())
            assertEquals(kpj, card.kpj)
            assertEquals(kpj, phone.card()?.kpj)
        }
    }

    @Test
    fun aCodeIsGoodOnce() = runBlocking {
        Rantau.create(tempDir(), "used", Rantau.generateKeyHex()).use { a ->
            Rantau.create(tempDir(), "other", Rantau.generateKeyHex()).use { b ->
                a.linkStart(server.url, kpj, "1968-08-05", LinkChannel.OFFICER)
                b.linkStart(server.url, kpj, "1968-08-05", LinkChannel.OFFICER)
                val code = officerCode()
                a.linkConfirm(server.url, code)
                val used = assertThrows<RantauException.InvalidInput> { runBlocking { b.linkConfirm(server.url, code) } }
                assertEquals("link.code_used", used.code)
                assertFalse(b.statusCard().registered)
            }
        }
    }
}
