package id.rantau

import id.rantau.core.Finalized
import id.rantau.core.Lang
import id.rantau.core.Bucket
import id.rantau.core.FieldInput
import id.rantau.ffi.RantauException
import id.rantau.core.Severity
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/** The worker's whole story through the Kotlin facade against the reference server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MainStoryTest {
    private lateinit var server: ReferenceServer

    @BeforeAll
    fun start() {
        server = ReferenceServer()
    }

    @AfterAll
    fun stop() = server.close()

    @Test
    fun enrollFillFinalizeSyncOfficerPullAndRead() = runBlocking {
        Rantau.create(tempDir(), "sri", Rantau.generateKeyHex()).use { app ->
            app.setLanguage(Lang.EN)
            assertTrue(app.forms().any { it.id == "pmi-registration" && it.title.isNotBlank() })
            assertEquals(false, app.statusCard().registered, "nothing known before the first sync")
            assertNull(app.card())

            // Fill offline, with a mistake in the birth date and its fix.
            val draft = app.draftWith("pmi-registration", registrationInputs())
            val typo = draft.typed("birth_date", FieldInput.Text("18-08-1995"))
            assertEquals("1995-08-18", typo.fields.first { it.path == "birth_date" }.text, "stored normalized")
            val early = draft.finalize()
            assertTrue(early is Finalized.NeedsFixes, "NIK says the 17th")
            assertTrue((early as Finalized.NeedsFixes).screen.fields.any { it.hasError })
            val fixed = draft.typed("birth_date", FieldInput.Text("17-08-1995"))
            assertTrue(fixed.fields.none { it.hasError }, fixed.fields.flatMap { it.issues }.toString())

            // A photo of the KTP: JPEG magic, then bytes that do not compress.
            val photo = ByteArray(40 * 1024) { i -> if (i < 3) byteArrayOf(-1, -40, -1)[i] else (i * 7919 % 251).toByte() }
            draft.attach("ktp_photo", photo, "image/jpeg")
            val page = app.attachments(draft.screen().draftId).single()
            assertEquals("image/jpeg", page.mime)
            assertEquals(photo.size.toULong(), page.size)
            assertTrue(photo.contentEquals(app.pageBytes(page.id)), "the page previews as it was attached")
            // A file the field cannot take is refused on the field, in the worker's words, not thrown.
            val refused = draft.attach("ktp_photo", "hello".toByteArray(), null)
            val onItsPage = refused.pages.indices.asSequence().map { draft.goTo(it.toUInt()) }.first { screen -> screen.fields.any { it.path == "ktp_photo" } }
            val why = onItsPage.fields.single { it.path == "ktp_photo" }.issues.single { it.code == "attachment.unsupported_type" }
            assertTrue(why.message.contains("JPEG"), why.message)
            // The core plans how far the phone shrinks a photo of each document: a card less than a page.
            val ktpPlan = nn(onItsPage.fields.single { it.path == "ktp_photo" }.photo)
            val kkPlan = nn(onItsPage.fields.single { it.path == "kk_photo" }.photo)
            assertEquals(2, ktpPlan.sampleSize(4000, 3000))
            assertEquals(1280 to 960, ktpPlan.targetSize(2000, 1500))
            assertEquals(1600 to 1200, kkPlan.targetSize(2000, 1500))
            assertTrue(ktpPlan.maxBytes < kkPlan.maxBytes, "a KTP page costs less than a family card page")
            assertEquals(1, app.attachments(refused.draftId).size, "nothing stored")
            attachRegistrationDocuments(draft)

            val quote = nn(draft.screen().contribution)
            val fee = quote.quote
            assertEquals(fee.prePlacement + fee.placement + fee.jhtMonthly, fee.totalDue)
            assertTrue(quote.total.amount.startsWith("Rp ") && quote.lines.all { it.amount.startsWith("Rp ") }, quote.toString())

            val reg = app.finalize(draft.screen().draftId)
            assertEquals(Bucket.WAITING_TO_SEND, reg.bucket)
            assertTrue(app.drafts().isEmpty())

            var question = app.finalize(app.draftWith("consultation", consultationInputs(reg.id)).screen().draftId)
            assertEquals(2, app.outboxFlow().first().size)

            // Not sent yet: either can be taken back, the registration only after the
            // question that waits for it; the same id comes back as a draft and goes again.
            assertTrue(app.outbox().all { it.canTakeBack })
            assertEquals("submission.needed_by_another", assertThrows<RantauException> { runBlocking { app.withdraw(reg.id) } }.code)
            assertEquals(question.id, app.withdraw(question.id))
            assertEquals(listOf(question.id), app.drafts().map { it.id })
            assertEquals(1, app.outbox().size)
            question = app.finalize(question.id)
            assertEquals(2, app.outboxFlow().first().size)

            // Sync: enroll, push both in one go, pull the decision.
            val done = app.sync(server.url)
            assertFalse(done.running || done.workLeft, done.headline)
            assertEquals(null, done.error)
            assertTrue(done.lastResult.orEmpty().startsWith("2 accepted"), done.lastResult)
            assertTrue(app.attachments(reg.id).all { it.uploaded }, "the KTP photo reached the server")
            assertTrue(app.outbox().all { it.bucket == Bucket.ACCEPTED && it.reference != null })
            assertTrue(app.outbox().none { it.canTakeBack })
            assertEquals("submission.already_left", assertThrows<RantauException> { runBlocking { app.withdraw(question.id) } }.code)
            val card = nn(app.card())
            assertEquals(11, card.kpj.length)
            val pay = nn(app.paymentInstructions())
            assertTrue(!pay.paid && pay.amountDue > 0u && pay.channels.isNotEmpty())
            assertTrue(pay.amountDueText.startsWith("Rp ") && Regex("""\d{2}-\d{2}-\d{4}""").matches(pay.payBeforeText), pay.payBeforeText)

            // Reminders the app schedules: before the deadline while unpaid, and JHT monthly.
            val due = app.reminders()
            assertTrue(due.any { it.id.startsWith("pay-${pay.kpj}-") && it.text.contains(pay.paymentCode) }, due.toString())
            assertTrue(due.count { it.id.startsWith("jht-") } in 1..12, due.toString())

            // The officer records the payment and answers.
            server.officer("pay", "--kpj", pay.kpj, "--amount", pay.amountDue.toString())
            server.officer("reply", "--submission", question.id, "--body", "Perlindungan mulai sejak pembayaran.")

            val again = app.sync(server.url)
            assertEquals(again, app.syncStatus.value, "the shared state is the run's end")
            assertTrue(again.lastFinishedAt != null && !again.running)
            val status = app.statusCard()
            assertTrue(status.registered, status.headline)
            assertEquals(card.kpj, status.kpj)
            assertTrue(status.windows.isNotEmpty(), "the decision's protection windows are shown")
            assertFalse(status.stale, "just fetched: ${status.updated}")
            assertTrue(nn(app.paymentInstructions()).paid)
            assertTrue(app.reminders().none { it.id.startsWith("pay-") }, "paid: no payment reminder")
            val thread = app.threads().single { it.submissionId == question.id }
            assertEquals("Perlindungan mulai sejak pembayaran.", thread.replies.single().body)

            // Exactly once on the server.
            val listed = server.officer("list")
            assertEquals(1, Regex("\"id\":\\s*\"" + Regex.escape(reg.id) + "\"").findAll(listed).count(), listed)
        }
    }
}
