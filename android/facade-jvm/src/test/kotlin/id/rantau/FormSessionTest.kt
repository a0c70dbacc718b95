package id.rantau

import id.rantau.ffi.AnswerValue
import id.rantau.ffi.FieldInput
import id.rantau.ffi.FieldKind
import id.rantau.core.Lang
import id.rantau.core.Bucket
import id.rantau.core.Severity
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The generic form renderer's presenter, against the real core. */
class FormSessionTest {
    private fun withApp(block: suspend (Rantau) -> Unit) = runBlocking {
        Rantau.create(tempDir(), "w", Rantau.generateKeyHex()).use { app ->
            app.setLanguage(Lang.EN)
            block(app)
        }
    }

    @Test
    fun theFormArrivesTypedAndLocalizedWithConditionalFieldsHidden() = withApp { app ->
        val session = FormSession.start(app, "pmi-registration")
        val ui = session.state.value
        assertTrue(ui.pageCount > 1)
        assertEquals(0, ui.page)
        assertTrue("placement_company" in ui.hidden, "shown only for the P3MI scheme")
        val all = ui.form.pages.flatMap { it.fields }
        assertTrue(all.any { it.kind == FieldKind.DOCUMENT && it.document != null })
        val country = all.first { it.kind == FieldKind.COUNTRY }
        assertTrue(country.choices.any { it.value == "MY" && it.label == "Malaysia" })
        assertTrue(ui.slots().none { it.path == "placement_company" })
    }

    @Test
    fun autosaveFlipsVisibilityAndCrossFieldMessagesComeAndGo() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        s.setText("scheme", "p3mi")
        assertFalse("placement_company" in s.state.value.hidden)

        s.setText("nik", "3515 1457 0895 0001")
        assertEquals(AnswerValue.Text("3515145708950001"), s.state.value.values["nik"], "stored normalized")
        // A birth date that disagrees with the NIK: the message shows on the NIK field.
        s.setText("birth_date", "18-08-1995")
        val onNik = s.state.value.issues["nik"].orEmpty()
        assertTrue(onNik.any { it.severity == Severity.ERROR }, onNik.toString())
        // Fixing the birth date clears it, with no extra call.
        val fixed = s.setText("birth_date", "17-08-1995")
        assertTrue("nik" in fixed.rechecked)
        assertTrue(s.state.value.issues["nik"].isNullOrEmpty(), s.state.value.issues.toString())
        assertEquals(AnswerValue.Text("1995-08-17"), s.state.value.values["birth_date"])
    }

    @Test
    fun repeatItemsGrowWithTheirFirstAnswerAndShrinkOnRemove() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val group = s.state.value.form.pages.flatMap { it.fields }.first { it.kind == FieldKind.REPEAT }
        assertEquals(0, s.addItem(group.id))
        assertEquals(1, s.state.value.itemCounts[group.id])
        s.setText("${group.id}[0].name", "Suminah")
        s.setText("${group.id}[1].name", "Bambang")
        assertEquals(2, s.state.value.itemCounts[group.id])
        val page = s.state.value.form.pages.indexOfFirst { p -> p.fields.any { it.id == group.id } }
        s.goTo(page)
        val slot = s.state.value.slots().first { it.path == group.id }
        assertEquals(2, slot.items.size)
        assertEquals(AnswerValue.Text("Bambang"), slot.items[1].first { it.field.id == "name" }.value)
        s.removeItem(group.id, 0)
        assertEquals(1, s.state.value.itemCounts[group.id])
        assertEquals(AnswerValue.Text("Bambang"), s.state.value.values["${group.id}[0].name"])
    }

    @Test
    fun finalizeShowsTheFirstPageWithErrorsThenQueuesOnceFixed() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        s.goTo(s.state.value.pageCount - 1)
        val early = s.finalize()
        assertTrue(early is FinalizeOutcome.NeedsFixes)
        assertEquals(0, s.state.value.page, "the first page has required fields")
        assertTrue(s.state.value.errorsOn(0) > 0)

        for ((path, input) in registrationInputs()) s.set(path, input)
        val photo = ByteArray(2048) { i -> if (i < 3) byteArrayOf(-1, -40, -1)[i] else i.toByte() }
        s.attach("ktp_photo", photo, "image/jpeg")
        assertEquals(1, s.state.value.documents["ktp_photo"]?.size)
        s.goTo(s.state.value.pageCount - 1)
        assertNotNull(s.state.value.contribution, "the contribution summary before finalize")
        assertEquals(null, s.state.value.firstPageWithErrors(), s.state.value.issues.toString())

        val done = s.finalize()
        assertTrue(done is FinalizeOutcome.Queued, done.toString())
        assertEquals(Bucket.WAITING_TO_SEND, (done as FinalizeOutcome.Queued).item.bucket)
        assertTrue(app.drafts().isEmpty())
    }

    @Test
    fun aDraftResumesWhereItWasAfterReopening() = runBlocking {
        val dir = tempDir()
        val key = Rantau.generateKeyHex()
        val draftId = Rantau.create(dir, "w", key).use { app ->
            val s = FormSession.start(app, "pmi-registration")
            s.setText("full_name", "Sri Wahyuni")
            s.setText("heirs[0].name", "Suminah")
            s.draftId
        }
        Rantau.open(dir, "w", key).use { app ->
            val s = FormSession.resume(app, draftId)
            assertEquals(AnswerValue.Text("Sri Wahyuni"), s.state.value.values["full_name"])
            assertEquals(AnswerValue.Text("Suminah"), s.state.value.values["heirs[0].name"])
            assertEquals(1, s.state.value.itemCounts["heirs"])
        }
    }

    @Test
    fun anotherInstanceOfTheSameProfileSeesTheOutboxChange() = runBlocking {
        val dir = tempDir()
        val key = Rantau.generateKeyHex()
        Rantau.create(dir, "w", key).use { screen ->
            Rantau.open(dir, "w", key).use { worker ->
                assertTrue(screen.outboxFlow().first().isEmpty())
                val d = worker.newDraft("consultation").id
                worker.fill(d, consultationInputs(null))
                worker.finalize(d)
                val seen = withTimeout(5_000) { screen.outboxFlow().first { it.isNotEmpty() } }
                assertEquals(d, seen.single().id)
            }
        }
    }

    @Test
    fun typedInputKindsReachTheCore() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val r = s.set("jkk_jkm", FieldInput.Bool(true))
        assertEquals(AnswerValue.Bool(true), r.stored)
        s.set("jkk_jkm", FieldInput.Clear)
        assertFalse("jkk_jkm" in s.state.value.values)
    }
}
