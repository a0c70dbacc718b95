package id.rantau

import id.rantau.core.Lang
import id.rantau.core.Bucket
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/**
 * `tls_proxy` (tests/src/bin/tls_proxy.rs) as a child process: HTTPS on a free loopback
 * port in front of [upstream], with a certificate of kind [cert] (`good`, `wrong-ca`,
 * `wrong-name`, `expired`); the test authority's certificate is in [caPem].
 */
class TlsProxy(upstream: String, cert: String = "good") : AutoCloseable {
    private val bin: String = System.getProperty("rantau.tls.proxy.bin")
        ?: error("set -Drantau.tls.proxy.bin to the tls_proxy binary")
    private val caFile: File = File(tempDir(), "ca.pem")
    private val process: Process = ProcessBuilder(
        bin, "--upstream", upstream.removePrefix("http://").trimEnd('/'), "--ca-out", caFile.path, "--cert", cert,
    ).redirectError(ProcessBuilder.Redirect.INHERIT).start()
    val url: String
    val caPem: String

    init {
        val line = BufferedReader(InputStreamReader(process.inputStream)).readLine()
            ?: error("tls_proxy exited before listening")
        url = Regex("""https://\S+""").find(line)?.value ?: error("no URL in: $line")
        caPem = caFile.readText()
    }

    override fun close() {
        // Closing its stdin ends it; destroy in case it does not.
        process.outputStream.close()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroy()
    }
}

/** The facade syncs over HTTPS; a certificate it must not trust is refused, and nothing moves. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
    private lateinit var server: ReferenceServer

    @BeforeAll
    fun start() {
        server = ReferenceServer()
    }

    @AfterAll
    fun stop() = server.close()

    private suspend fun Rantau.finalizeRegistration(): String =
        finalize(draftWith("pmi-registration", registrationInputs()).also { attachRegistrationDocuments(it) }.screen().draftId).id

    @Test
    fun syncsThroughHttpsWithTheTestAuthority() = runBlocking {
        TlsProxy(server.url).use { proxy ->
            Rantau.create(tempDir(), "tls", Rantau.generateKeyHex()).use { app ->
                app.trustOnlyRoots(proxy.caPem)
                val id = app.finalizeRegistration()
                val status = app.sync(proxy.url)
                assertEquals(null, status.error, status.headline)
                assertFalse(status.workLeft)
                val item = app.outbox().single { it.id == id }
                assertEquals(Bucket.ACCEPTED, item.bucket)
                assertTrue(server.officer("list").contains(id), "the server holds it")
            }
        }
    }

    @Test
    fun aWrongCertificateIsRefusedWithSyncTlsAndTheOutboxStaysQueued() = runBlocking {
        for (kind in listOf("wrong-ca", "wrong-name", "expired")) {
            TlsProxy(server.url, kind).use { proxy ->
                Rantau.create(tempDir(), "tls", Rantau.generateKeyHex()).use { app ->
                    app.trustOnlyRoots(proxy.caPem)
                    val id = app.finalizeRegistration()
                    val before = app.outbox()
                    val failure = assertThrows<RantauException.Network>("$kind") {
                        runBlocking { app.sync(proxy.url) }
                    }
                    assertEquals("sync.tls", failure.code, kind)
                    assertEquals(before, app.outbox(), "$kind: the outbox is untouched")
                    assertEquals(Bucket.WAITING_TO_SEND, app.outbox().single { it.id == id }.bucket)
                    // The shared state words it: never the raw code.
                    val status = app.syncStatus.value
                    assertEquals(errorMessage("sync.tls", app.language()), status.error, kind)
                    assertTrue(status.workLeft && !status.running, kind)
                    assertTrue(!server.officer("list").contains(id), "$kind: nothing reached the server")
                }
            }
        }
        for (lang in listOf(Lang.ID, Lang.EN)) {
            assertNotEquals("sync.tls", errorMessage("sync.tls", lang), "a message in $lang")
        }
    }

    @Test
    fun rootsThatAreNotPemAreRefused() = runBlocking {
        Rantau.create(tempDir(), "tls", Rantau.generateKeyHex()).use { app ->
            val bad = assertThrows<RantauException.InvalidInput> { app.trustOnlyRoots("not a certificate") }
            assertEquals("sync.invalid_roots", bad.code)
        }
    }
}
