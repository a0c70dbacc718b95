package id.rantau

import id.rantau.core.Bucket
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.concurrent.thread

/** Cancelling a sync in the middle of a push loses nothing and sends nothing twice. */
class CancelTest {
    /** Accepts connections, reads the request line, never answers. */
    private class SilentServer : AutoCloseable {
        val socket = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
        val url = "http://127.0.0.1:${socket.localPort}"
        val requestLine = CompletableDeferred<String>()
        private val worker = thread(isDaemon = true) {
            runCatching {
                while (true) {
                    val c = socket.accept()
                    thread(isDaemon = true) {
                        runCatching { requestLine.complete(c.getInputStream().bufferedReader().readLine() ?: "") }
                    }
                }
            }
        }

        override fun close() = socket.close()
    }

    @Test
    fun cancellingMidPushLosesNothingAndTheNextSyncSendsEachOnce() = runBlocking {
        ReferenceServer().use { server ->
            Rantau.create(tempDir(), "p", Rantau.generateKeyHex()).use { app ->
                // Enroll and send a first consultation.
                app.finalize(app.draftWith("consultation", consultationInputs(null)).screen().draftId)
                assertFalse(app.sync(server.url).workLeft)
                assertTrue(app.outbox().all { it.bucket == Bucket.ACCEPTED })

                val ids = (1..2).map {
                    app.finalize(app.draftWith("consultation", consultationInputs(null)).screen().draftId).id
                }

                // The same device, but the server never answers the batch.
                SilentServer().use { silent ->
                    val job = launch(Dispatchers.Default) { app.sync(silent.url) }
                    val line = withTimeout(10_000) { silent.requestLine.await() }
                    assertTrue(line.startsWith("POST /v1/submissions/batch"), line)
                    withTimeout(5_000) {
                        job.cancel()
                        job.join()
                    }
                    assertTrue(job.isCancelled)
                }
                val pending = app.outbox().filter { it.id in ids }
                assertEquals(2, pending.size, "nothing lost")
                assertTrue(pending.all { it.bucket == Bucket.WAITING_TO_SEND || it.bucket == Bucket.SENDING }, pending.toString())

                val status = app.sync(server.url)
                assertFalse(status.workLeft, status.headline)
                assertTrue(app.outbox().all { it.bucket == Bucket.ACCEPTED })
                val listed = server.officer("list")
                for (id in ids) assertEquals(1, Regex("\"id\":\\s*\"" + Regex.escape(id) + "\"").findAll(listed).count(), listed)
            }
        }
    }
}
