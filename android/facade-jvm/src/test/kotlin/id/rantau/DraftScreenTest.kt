package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.FieldSlot
import id.rantau.core.Finalized
import id.rantau.core.FormScreen
import id.rantau.core.Lang
import id.rantau.core.FieldInput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The form screen and the outbox buckets as the core renders them, through the real
 * library: the issue-display policy is the core's, Kotlin only reads the screen.
 */
class DraftScreenTest {
    private fun withApp(block: suspend (Rantau) -> Unit) = runBlocking {
        Rantau.create(tempDir(), "w", Rantau.generateKeyHex()).use { app ->
            app.setLanguage(Lang.EN)
            block(app)
        }
    }

    private fun FormScreen.slot(path: String): FieldSlot = fields.first { it.path == path }

    @Test
    fun requiredFieldsWaitUntilThePageIsLeftAndFormatErrorsUntilTheFieldIsLeft() = withApp { app ->
        val draft = app.startDraft("pmi-registration")
        val fresh = draft.screen()
        assertTrue(fresh.fields.all { it.issues.isEmpty() }, "a new form shows no red")
        assertEquals("Page 1 of ${fresh.pages.size}", fresh.progress)

        val typing = draft.typed("nik", FieldInput.Text("3171"))
        assertTrue(typing.slot("nik").issues.isEmpty(), "no error while typing")
        val left = draft.leave("nik")
        assertTrue(left.slot("nik").hasError, "shown once the field is left")
        assertTrue(left.slot("full_name").issues.isEmpty(), "an empty field waits for the page")

        val next = draft.next()
        assertEquals(1u, next.page)
        assertTrue(next.pages[0].errors > 0u, "the page left counts its errors")
        val back = draft.previous()
        assertEquals(listOf("field.required"), back.slot("full_name").issues.map { it.code })
    }

    @Test
    fun finalizeOpensTheFirstPageWithAnErrorThenQueuesIntoABucket() = withApp { app ->
        val draft = app.startDraft("pmi-registration")
        draft.goTo(100u)
        val refused = draft.finalize()
        assertTrue(refused is Finalized.NeedsFixes)
        assertEquals(0u, (refused as Finalized.NeedsFixes).screen.page)

        for ((path, input) in registrationInputs()) draft.typed(path, input)
        attachRegistrationDocuments(draft)
        val queued = draft.finalize()
        assertTrue(queued is Finalized.Queued, queued.toString())
        val item = (queued as Finalized.Queued).item
        assertEquals(Bucket.WAITING_TO_SEND, item.bucket)
        assertEquals("Waiting to send", item.status)
        assertNull(item.detail)

        val summary = app.outboxSummary()
        assertEquals(1u, summary.onItsWay)
        assertEquals(0u, summary.needsAction)
        assertEquals("On its way: 1", summary.headline)
        assertFalse(summary.buckets.isEmpty())
    }
}
