package id.rantau

import id.rantau.core.FieldInput
import id.rantau.ffi.RantauProfile
import id.rantau.ffi.coreVersion
import id.rantau.ffi.echoU32
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test

/**
 * Call costs through Kotlin/JNA. The gate runs it once in test mode (a few calls each,
 * so a broken benchmark fails CI); `scripts/kotlin-test.sh --bench` measures for real
 * (`-Drantau.bench.full=true`, release library).
 */
@Tag("bench")
class CallCostBenchTest {
    /** Real measurement, or the gate's quick pass that only proves the benchmark runs. */
    private val full = System.getProperty("rantau.bench.full") == "true"

    /** `n` calls when measuring, a handful in test mode. */
    private fun n(n: Int) = if (full) n else maxOf(n / 1_000, 5)

    private fun stats(name: String, nanos: LongArray): Double {
        nanos.sort()
        val median = nanos[nanos.size / 2] / 1000.0
        val p99 = nanos[(nanos.size * 99) / 100] / 1000.0
        if (!full) return median // test mode: a handful of calls measure nothing
        println("BENCH %-40s n=%6d median=%8.2f us  p99=%8.2f us".format(name, nanos.size, median, p99))
        return median
    }

    private inline fun measure(n: Int, body: (Int) -> Unit): LongArray {
        val out = LongArray(n)
        for (i in 0 until n) {
            val t0 = System.nanoTime()
            body(i)
            out[i] = System.nanoTime() - t0
        }
        return out
    }

    @Test
    fun trivialCallAndAutosave() {
        repeat(n(20_000)) { coreVersion(); echoU32(it.toUInt()) }
        var sink = 0u
        stats("echoU32(u32) (bare call)", measure(n(200_000)) { sink += echoU32(it.toUInt()) })
        assertTrue(sink > 0u)
        val trivial = stats("coreVersion() (returns a String)", measure(n(200_000)) { coreVersion() })

        val dir = tempDir()
        val profile = RantauProfile.withKeyHex(dir.path, "bench", Rantau.generateKeyHex(), true)
        // A keystroke: one autosave (one transaction) and what to redraw back, on a
        // draft whose screen is drawn (as the app does before the first key).
        val draft = profile.startDraft("pmi-registration")
        draft.screen()
        val names = arrayOf("Sri Wahyuni", "Siti Aminah", "Dewi Lestari")
        // Warm-up long enough for the JIT's top tier (about 10,000 calls of each
        // lifting function): a keystroke in a running app, not the first ones after start.
        repeat(n(20_000)) { draft.input("full_name", FieldInput.Text(names[it % 3])) }
        val autosave = stats("RantauDraft.input full_name (raw binding)", measure(n(5_000)) {
            draft.input("full_name", FieldInput.Text(names[it % 3]))
        })
        stats("RantauDraft.input nik (raw binding)", measure(n(5_000)) {
            // Two different numbers: each call stores a new value (two spellings of one
            // number would store the same record, which SQLite does not write again).
            draft.input("nik", FieldInput.Text(if (it % 2 == 0) "3515145708950001" else "3515 1457 0895 0002"))
        })
        draft.close()
        profile.closeProfile()
        profile.close()

        runBlocking {
            Rantau.create(tempDir(), "bench", Rantau.generateKeyHex()).use { app ->
                val session = FormSession.start(app, "pmi-registration")
                repeat(n(20_000)) { session.setText("full_name", names[it % 3]) }
                val out = LongArray(n(5_000))
                for (i in out.indices) {
                    val t0 = System.nanoTime()
                    session.setText("full_name", names[i % 3])
                    out[i] = System.nanoTime() - t0
                }
                stats("FormSession.setText (facade)", out)
                // What a keystroke no longer pays: one hop to the IO
                // dispatcher and back, with nothing done there.
                val hops = LongArray(n(5_000))
                for (i in hops.indices) {
                    val t0 = System.nanoTime()
                    withContext(Dispatchers.IO) { sink += 1u }
                    hops[i] = System.nanoTime() - t0
                }
                stats("withContext(Dispatchers.IO) {} (the hop alone)", hops)
            }
        }
        // A timing comparison is only meaningful on a real run; the gate stays deterministic.
        if (full) assertTrue(trivial < autosave, "an autosave (one transaction) costs more than a bare call")
    }
}
