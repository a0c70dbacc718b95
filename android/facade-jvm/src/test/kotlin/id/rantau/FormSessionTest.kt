package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.FieldSlot
import id.rantau.core.FormScreen
import id.rantau.core.Kind
import id.rantau.core.Lang
import id.rantau.core.FieldInput
import id.rantau.ffi.RantauException
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The form session: the core's screen, published in order, against the real library. */
class FormSessionTest {
    private fun withApp(block: suspend (Rantau) -> Unit) = runBlocking {
        Rantau.create(tempDir(), "w", Rantau.generateKeyHex()).use { app ->
            app.setLanguage(Lang.EN)
            block(app)
        }
    }

    /** The field instance at [path] on the page shown, repeat items included. */
    private fun FormScreen.slot(path: String): FieldSlot {
        fun find(slots: List<FieldSlot>): FieldSlot? =
            slots.firstNotNullOfOrNull { s -> if (s.path == path) s else s.items.firstNotNullOfOrNull { find(it.fields) } }
        return nn(find(fields), "no $path on page $page")
    }

    /** Shows the page that holds top-level field [id]. */
    private suspend fun FormSession.goToPageOf(id: String): FormScreen {
        for (page in 0 until state.value.pages.size) {
            val screen = goTo(page.toUInt())
            if (screen.fields.any { it.path == id }) return screen
        }
        error("no page shows $id")
    }

    @Test
    fun keystrokesLaunchedOneAfterAnotherAreSavedInTheOrderTyped() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val name = "Sri Wahyuni binti Suminah"
        // As a screen does: one launched call per keystroke, none awaited before the next.
        coroutineScope {
            for (n in 1..name.length) launch { s.setText("full_name", name.take(n)) }
        }
        assertEquals(name, s.state.value.slot("full_name").text, "the last keystroke is the one shown")
        val stored = app.openDraft(s.draftId).screen().fields.first { it.path == "full_name" }
        assertEquals(name, stored.text, "and the one stored")

        s.setText("full_name", "  ")
        assertEquals("", s.state.value.slot("full_name").text, "a blank box empties the field")
    }

    @Test
    fun aRequiredFieldShowsNoErrorUntilItsPageIsLeftThenItsTabCountsIt() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val fresh = s.state.value
        assertEquals("Page 1 of ${fresh.pages.size}", fresh.progress)
        assertTrue(fresh.slot("full_name").required)
        assertFalse(fresh.canGoBack)

        val left = s.leave("full_name")
        assertTrue(left.slot("full_name").issues.isEmpty(), "leaving the field is not leaving the page")
        assertEquals(0u, left.pages[0].errors)

        val next = s.next()
        assertEquals(1u, next.page)
        assertEquals(next, s.state.value, "the screen returned is the screen published")
        assertTrue(next.pages[0].errors > 0u, "the page left counts its errors")
        assertTrue(next.pages[1].current && next.canGoBack)

        val back = s.previous()
        val fullName = back.slot("full_name")
        assertTrue(fullName.hasError)
        assertEquals(listOf("field.required"), fullName.issues.map { it.code })
    }

    @Test
    fun repeatItemsAreAddedAndRemovedByTheCore() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val empty = s.goToPageOf("heirs").slot("heirs")
        assertEquals(Kind.REPEAT, empty.kind)
        assertTrue(empty.items.isEmpty() && empty.canAddItem)

        s.addItem("heirs")
        s.setText("heirs[0].name", "Suminah")
        s.addItem("heirs")
        s.setText("heirs[1].name", "Bambang")
        val two = s.state.value.slot("heirs")
        assertEquals(listOf("heirs[0].name", "heirs[1].name"), two.items.map { it.fields.first { f -> f.path.endsWith(".name") }.path })
        assertEquals(listOf("Heir 1", "Heir 2"), two.items.map { it.title })
        assertTrue(two.items.all { it.canRemove })

        val one = s.removeItem("heirs", 0u).slot("heirs")
        assertEquals(1, one.items.size)
        assertEquals("Bambang", one.items.single().fields.first { it.path == "heirs[0].name" }.text, "later items move up")
        assertFalse(one.items.single().canRemove, "the group keeps its fewest items")
    }

    @Test
    fun inputsOfEveryShapeReachTheCoreAndComeBackAsShown() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val ticked = s.run {
            goToPageOf("jkk_jkm")
            input("jkk_jkm", FieldInput.Bool(true))
        }
        assertTrue(ticked.slot("jkk_jkm").checked)
        assertFalse(s.input("jkk_jkm", FieldInput.Clear).slot("jkk_jkm").checked)

        s.goToPageOf("destination_country")
        val country = s.input("destination_country", FieldInput.Text("MY")).slot("destination_country")
        assertEquals("Malaysia", country.display)
        assertTrue(country.destinationsOnly)
        assertTrue(app.countries(true).any { it.value == "MY" && it.label == "Malaysia" })
        assertTrue(app.countries(false).size > app.countries(true).size)

        s.goToPageOf("nik")
        val date = s.input("birth_date", FieldInput.Text("1995-08-17")).slot("birth_date")
        assertEquals("1995-08-17", date.text, "the box (or picker) gets the stored day")
        assertNotNull(date.display, "the read-only text is the day as people write it")
    }

    @Test
    fun finalizeOpensTheFirstPageWithAnErrorThenQueuesIntoWaitingToSend() = withApp { app ->
        val s = FormSession.start(app, "pmi-registration")
        val last = s.goTo(UInt.MAX_VALUE)
        assertTrue(last.isLastPage)

        val early = s.finalize()
        assertTrue(early is FinalizeOutcome.NeedsFixes, early.toString())
        val fixes = (early as FinalizeOutcome.NeedsFixes).screen
        assertEquals(0u, fixes.page, "the first page has required fields")
        assertEquals(fixes, s.state.value)
        assertTrue(fixes.pages[0].errors > 0u)
        assertTrue(fixes.fields.any { it.hasError })

        for ((path, input) in registrationInputs()) s.input(path, input)
        s.goToPageOf("ktp_photo")
        val photo = ByteArray(2048) { i -> if (i < 3) byteArrayOf(-1, -40, -1)[i] else i.toByte() }
        val attached = s.attach("ktp_photo", photo, "image/jpeg").slot("ktp_photo")
        assertEquals(1, attached.attachments.size)
        val removed = s.removeAttachment("ktp_photo", attached.attachments.single().id).slot("ktp_photo")
        assertTrue(removed.attachments.isEmpty() && removed.canAttach)
        for ((field, bytes) in registrationDocuments) s.attach(field, bytes, "image/jpeg")
        val before = s.goTo(UInt.MAX_VALUE)
        assertNotNull(before.contribution, "the contribution summary before finalize")
        assertTrue(before.pages.all { it.errors == 0u }, before.pages.toString())

        // The review before the confirm: every page with answers, labels and readable values.
        val review = s.review()
        assertNotNull(review.contribution)
        val lines = review.pages.flatMap { it.lines }
        val name = lines.single { it.path == "full_name" }
        assertTrue(name.label.isNotBlank() && name.label != "full_name", name.toString())
        assertTrue(lines.none { it.value == "F" || it.value.startsWith("{") }, lines.toString())
        // "Change" goes back to the line's page.
        val page = review.pages.first { p -> p.lines.any { it.path == "full_name" } }.page
        assertEquals(page, s.goTo(page).page)

        // The confirm, then what happens next: in the worker's words, from the core.
        val done = s.finalize()
        assertTrue(done is FinalizeOutcome.Queued, done.toString())
        assertEquals(Bucket.WAITING_TO_SEND, (done as FinalizeOutcome.Queued).item.bucket)
        assertEquals(done.item.id, withTimeout(5_000) { app.outboxFlow().first { it.isNotEmpty() } }.single().id)
        assertTrue(app.drafts().isEmpty())
        val next = done.next
        assertEquals(done.item.id, next.submissionId)
        assertEquals(next, app.whatNext(done.item.id), "the same later, from the outbox")
        val said = next.steps.joinToString("\n") { "${it.title}: ${it.text}" }
        assertTrue("KPJ" in said && "Hong Kong" in said && "paid" in said, said)
        val channels = next.steps.flatMap { it.channels }
        assertTrue(channels.isNotEmpty() && channels.none { "Malaysia" in it.name }, channels.toString())
    }

    @Test
    fun registerResumesTheUnfinishedRegistrationAndADraftCanBeDeleted() = withApp { app ->
        val s = FormSession.startOrResume(app, "pmi-registration")
        s.setText("full_name", "Sri Wahyuni")
        val again = FormSession.startOrResume(app, "pmi-registration")
        assertEquals(s.draftId, again.draftId, "Register opens the unfinished registration")
        assertEquals(1, app.drafts().size)
        val ask1 = FormSession.startOrResume(app, "consultation")
        val ask2 = FormSession.startOrResume(app, "consultation")
        assertTrue(ask1.draftId != ask2.draftId, "a question is asked anew")

        app.deleteDraft(s.draftId)
        assertEquals(setOf(ask1.draftId, ask2.draftId), app.drafts().map { it.id }.toSet())
        val gone = assertThrows<RantauException.NotFound> { runBlocking { app.openDraft(s.draftId) } }
        assertEquals("draft.not_found", gone.code)
        assertTrue(FormSession.startOrResume(app, "pmi-registration").draftId != s.draftId, "deleted: a new one")
    }

    @Test
    fun aDraftResumesWithItsAnswersAfterReopening() = runBlocking {
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
            // It opens where the worker last changed something: the heirs' page.
            assertEquals("Suminah", s.state.value.slot("heirs[0].name").text)
            assertEquals("Sri Wahyuni", s.goToPageOf("full_name").slot("full_name").text)
        }
    }

    @Test
    fun afterTheProfileIsClosedTheSessionsCallsThrowClosed() = runBlocking {
        val app = Rantau.create(tempDir(), "w", Rantau.generateKeyHex())
        val s = FormSession.start(app, "consultation")
        app.close()
        val e = assertThrows<RantauException.Closed> { runBlocking { s.setText("subject", "x") } }
        assertEquals("profile.closed", e.code)
    }

    @Test
    fun anotherInstanceOfTheSameProfileSeesTheOutboxChange() = runBlocking {
        val dir = tempDir()
        val key = Rantau.generateKeyHex()
        Rantau.create(dir, "w", key).use { screen ->
            Rantau.open(dir, "w", key).use { worker ->
                assertTrue(screen.outboxFlow().first().isEmpty())
                val s = FormSession.start(worker, "consultation")
                for ((path, input) in consultationInputs(null)) s.input(path, input)
                val queued = s.finalize() as FinalizeOutcome.Queued
                val seen = withTimeout(5_000) { screen.outboxFlow().first { it.isNotEmpty() } }
                assertEquals(queued.item.id, seen.single().id)
            }
        }
    }

    @Test
    fun anUrgentCategoryShowsTheNumbersToCallInTheDestinationBeforeTheFormIsQueued() = withApp { app ->
        // A registration for Hong Kong being filled: the core takes the destination from it.
        val reg = FormSession.start(app, "pmi-registration")
        reg.input("destination_country", FieldInput.Text("Hongkong"))
        assertEquals("HK", app.help().country)
        val s = FormSession.start(app, "consultation")
        assertNull(s.state.value.urgentHelp)
        val help = s.input("category", FieldInput.Text("work_accident")).urgentHelp
        assertNotNull(help, "an urgent category shows the numbers to call")
        help!!
        assertEquals("HK", help.country)
        val first = help.sections.first().lines.first()
        assertEquals("tel:999", first.call)
        assertTrue(help.sections.flatMap { it.lines }.any { it.label.contains("KJRI") && it.call == "tel:+85252422240" })
        assertNull(s.input("category", FieldInput.Text("claim")).urgentHelp)
    }
}
