package id.rantau

import id.rantau.core.FieldInput
import id.rantau.core.Lang
import id.rantau.core.Bucket
import id.rantau.core.FormScreen
import id.rantau.core.PointKind
import id.rantau.ffi.RantauException
import id.rantau.core.Scheme
import id.rantau.ffi.checkNik
import id.rantau.ffi.checkPhone
import id.rantau.ffi.fee
import id.rantau.ffi.listProfiles
import id.rantau.ffi.servicePoints
import id.rantau.ffi.testingPanic
import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Exception mapping, nullability, close() and the profile-free calls. */
class ContractTest {
    private fun <T> run(block: suspend () -> T): T = runBlocking { block() }

    @Test
    fun wrongKeyIsTypedWithItsStableCode() = run {
        val dir = tempDir()
        Rantau.create(dir, "p", Rantau.generateKeyHex()).close()
        val e = assertThrows<RantauException.WrongKey> { run { Rantau.open(dir, "p", Rantau.generateKeyHex()) } }
        assertEquals("store.wrong_key", e.code)
        assertEquals("store.wrong_key", (e as RantauException).code, "the facade's extension agrees")
    }

    @Test
    fun aDamagedProfileIsSetAsideKeptAndCreatedAgainButAHealthyOneIsNot() = run {
        val dir = tempDir()
        val key = ByteArray(32) { (it * 7).toByte() }
        Rantau.withKey(dir, "ani", key, create = true).use { it.startDraft("consultation") }
        val healthy = assertThrows<RantauException.InvalidInput> { run { Rantau.setAsideDamaged(dir, "ani", key) } }
        assertEquals("profile.not_damaged", healthy.code)

        val db = File(dir, "ani.db")
        val damaged = db.readBytes().also { it.fill(0x5A, 0, 8192) }
        db.writeBytes(damaged)
        val unreadable = assertThrows<RantauException.Storage> { run { Rantau.withKey(dir, "ani", key, create = false) } }
        assertEquals("store.not_a_database", unreadable.code)

        val kept = Rantau.setAsideDamaged(dir, "ani", key)
        assertTrue(kept.readBytes().contentEquals(damaged), "the damaged file is kept as it was")
        assertFalse(db.exists())
        Rantau.withKey(dir, "ani", key, create = true).use { assertTrue(it.drafts().isEmpty()) }
        assertEquals(listOf("ani"), listProfiles(dir.path))
    }

    @Test
    fun badKeyUnknownDraftAndUnknownFieldMapToTheirCases() = run {
        val dir = tempDir()
        val bad = assertThrows<RantauException.InvalidInput> { run { Rantau.create(dir, "p", "abc") } }
        assertEquals("store.invalid_key", bad.code)
        val short = assertThrows<RantauException.InvalidInput> { run { Rantau.withKey(dir, "p", ByteArray(5), true) } }
        assertEquals("store.invalid_key", short.code)
        Rantau.withKey(dir, "p", ByteArray(32) { it.toByte() }, create = true).use { app ->
            val nf = assertThrows<RantauException.NotFound> { run { app.openDraft("nope") } }
            assertEquals("draft.not_found", nf.code)
            val d = app.startDraft("consultation")
            val uf = assertThrows<RantauException.InvalidInput> { d.input("no_such_field", FieldInput.Text("x")) }
            assertEquals("field.unknown", uf.code)
            val insecure = assertThrows<RantauException.InvalidInput> { run { app.sync("http://example.org") } }
            assertEquals("sync.insecure_url", insecure.code)
        }
    }

    @Test
    fun aPanicInRustIsAnInternalExceptionAndTheLibraryKeepsWorking() {
        val e = assertThrows<RantauException.Internal> { testingPanic("boom") }
        assertEquals("internal.panic", e.code)
        assertEquals("boom", e.detail)
        assertTrue(checkNik("3515145708950001", null, null, Lang.ID).valid, "still usable after the panic")
    }

    @Test
    fun optionalValuesCrossAsNull() = run {
        Rantau.create(tempDir(), "p", Rantau.generateKeyHex()).use { app ->
            assertEquals(false, app.statusCard().registered)
            assertNull(app.card())
            assertNull(app.paymentInstructions())
            assertTrue(app.threads().isEmpty())
            val d = app.startDraft("pmi-registration")
            val fresh = d.screen()
            assertNull(fresh.contribution)
            assertNull(fresh.slot("nik").display)
            assertNull(fresh.slot("nik").document)
            assertNull(fresh.slot("sex").maxLength)
            d.input("full_name", FieldInput.Text("Sri Wahyuni"))
            val cleared = d.typed("full_name", FieldInput.Clear).slot("full_name")
            assertNull(cleared.display)
            assertEquals("", cleared.text)
            val typed = d.typed("nik", FieldInput.Text("12345")).slot("nik")
            assertEquals("12345", typed.text, "kept as typed")
            assertEquals("nik.length", d.leave("nik").slot("nik").issues.first().code)
            val item = app.finalize(app.draftWith("consultation", consultationInputs(null)).screen().draftId)
            assertNull(item.reference)
            assertNull(item.retryAt)
            assertEquals(Bucket.WAITING_TO_SEND, item.bucket)
        }
    }

    @Test
    fun closeReleasesTheProfileAndLaterCallsThrowClosed() = run {
        val dir = tempDir()
        val key = Rantau.generateKeyHex()
        val app = Rantau.create(dir, "p", key)
        val draft = app.startDraft("consultation")
        draft.input("subject", FieldInput.Text("Tetap tersimpan"))
        val d = draft.screen().draftId
        app.close()
        app.close() // idempotent
        assertTrue(app.isClosed)
        val e = assertThrows<RantauException.Closed> { run { app.drafts() } }
        assertEquals("profile.closed", e.code)
        val open = assertThrows<RantauException.Closed> { draft.screen() }
        assertEquals("profile.closed", open.code, "an open draft closes with its profile")
        Rantau.open(dir, "p", key).use { again ->
            val saved = again.openDraft(d).screen().slot("subject").text
            assertEquals("Tetap tersimpan", saved, "autosave survived close")
        }
    }

    private fun FormScreen.slot(path: String) = fields.first { it.path == path }

    @Test
    fun checksFeeAndServicePointsNeedNoProfile() {
        val nik = checkNik("3515 1457 0895 0001", "1995-08-17", "F", Lang.EN)
        assertTrue(nik.valid)
        assertEquals("3515145708950001", nik.normalized)
        val wrong = checkNik("3515145708950001", "1995-08-18", null, Lang.EN)
        assertFalse(wrong.valid)
        assertTrue(wrong.issues.isNotEmpty())
        assertEquals("+6281234567890", checkPhone("0812-3456-7890", "ID", Lang.ID).normalized)
        val q = fee(Scheme.P3MI, 24u, null, Lang.ID)
        assertEquals(q.prePlacement + q.placement, q.totalDue)
        val e = assertThrows<RantauException.Validation> { fee(Scheme.P3MI, 0u, null, Lang.EN) }
        assertTrue(e.issues.single().message.isNotBlank())
        val hk = servicePoints("HK", Lang.EN)
        assertTrue(hk.any { it.kind == PointKind.CONSULATE && it.phones.isNotEmpty() })
        assertNotNull(hk.first().website)
    }
}
