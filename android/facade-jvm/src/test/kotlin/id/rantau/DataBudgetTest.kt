package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.Lang
import id.rantau.core.Network
import id.rantau.core.SyncAction
import id.rantau.core.WaitReason
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The data budget through the real library: the home summary says how many bytes
 * wait to be sent, worded by the core, and "documents only on Wi-Fi" is kept by the
 * profile and, on mobile data, sends the form while the photos wait.
 */
class DataBudgetTest {
    private val mobile = Network(connected = true, unmetered = false, roaming = false)

    @Test
    fun theSummaryTellsTheBytesToSendAndDocumentsWaitForWifi() = runBlocking {
        ReferenceServer().use { server ->
            val dir = tempDir()
            val key = Rantau.generateKeyHex()
            Rantau.create(dir, "p", key).use { app ->
                app.setLanguage(Lang.EN)
                val draft = app.draftWith("pmi-registration", registrationInputs())
                // A 1.5 MB photo of the KTP (JPEG magic, then bytes that do not compress).
                val photo = ByteArray(1_500_000) { i -> if (i < 3) byteArrayOf(-1, -40, -1)[i] else (i * 7919 % 251).toByte() }
                draft.attach("ktp_photo", photo, "image/jpeg")
                attachRegistrationDocuments(draft)
                val reg = app.finalize(draft.screen().draftId)
                val files = app.attachments(reg.id).sumOf { it.size.toLong() }

                val before = app.outboxSummary()
                assertEquals(files.toULong(), before.documentsBytes)
                assertTrue(before.toSendBytes > before.documentsBytes, "the form counts too")
                assertEquals("1.5 MB waiting to be sent", before.toSend)

                assertFalse(app.syncSettings().documentsWifiOnly, "off unless the worker chooses it")
                app.setSyncSettings(app.syncSettings().copy(documentsWifiOnly = true))
                assertTrue(app.syncSettings().documentsWifiOnly, "kept by the profile")

                val held = app.sync(server.url, mobile)
                assertEquals(WaitReason.DocumentsWifiOnly, held.waiting)
                assertEquals(SyncAction.SEND_DOCUMENTS_ON_MOBILE_DATA, held.action)
                assertTrue(held.workLeft)
                assertEquals(Bucket.DOCUMENTS_WAITING, app.outbox().single().bucket)
                assertEquals(files.toULong(), app.outboxSummary().toSendBytes, "only the files are left")

                val done = app.sync(server.url)
                assertNull(done.waiting, done.headline)
                assertFalse(done.workLeft)
                assertEquals(Bucket.ACCEPTED, app.outbox().single().bucket)
                assertEquals(0uL, app.outboxSummary().toSendBytes)
                assertNull(app.outboxSummary().toSend)
            }
        }
    }
}
