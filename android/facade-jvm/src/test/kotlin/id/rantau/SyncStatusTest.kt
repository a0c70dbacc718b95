package id.rantau

import id.rantau.core.Bucket
import id.rantau.core.Network
import id.rantau.core.SyncAction
import id.rantau.core.SyncSettings
import id.rantau.core.WaitReason
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * One sync state per profile in the process, through the real library: the screens'
 * instance sees what the background worker's instance does, and a sync held back by
 * the network or the worker's settings says why and what would help.
 */
class SyncStatusTest {
    private val roaming = Network(connected = true, unmetered = false, roaming = true)

    @Test
    fun theScreensSeeTheWorkersSyncAndItsReasonToWait() = runBlocking {
        ReferenceServer().use { server ->
            val dir = tempDir()
            val key = Rantau.generateKeyHex()
            Rantau.create(dir, "p", key).use { screens ->
                Rantau.open(dir, "p", key).use { worker ->
                    screens.finalize(screens.draftWith("consultation", consultationInputs(null)).screen().draftId)

                    // Roaming, and the worker never allowed it: nothing sent, both know why.
                    val held = worker.sync(server.url, roaming)
                    assertEquals(WaitReason.Roaming, held.waiting)
                    assertEquals(SyncAction.ALLOW_ROAMING, held.action)
                    assertTrue(held.workLeft)
                    assertEquals(held, screens.syncStatus.value, "the screens' instance shares it")
                    assertEquals(Bucket.WAITING_TO_SEND, screens.outbox().single().bucket)

                    // The worker taps "allow while roaming" on the screens; the background runs.
                    screens.setSyncSettings(SyncSettings(wifiOnly = false, allowRoaming = true, documentsWifiOnly = false))
                    val done = worker.sync(server.url, roaming)
                    assertFalse(done.workLeft || done.running, done.headline)
                    assertEquals(null, done.waiting)
                    assertNotNull(done.lastFinishedAt)
                    assertEquals(done, screens.syncStatus.value)
                    assertEquals(Bucket.ACCEPTED, screens.outbox().single().bucket)
                }
            }
        }
    }
}
