package id.rantau

import id.rantau.core.FieldInput
import id.rantau.core.FormScreen
import id.rantau.ffi.RantauDraft
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.nio.file.Files
import java.time.LocalDate
import java.util.concurrent.TimeUnit

/** The reference server (`rantau-server serve`) as a child process on a free loopback port. */
class ReferenceServer : AutoCloseable {
    val adminToken: String = Rantau.generateKeyHex()
    private val bin: String = System.getProperty("rantau.server.bin")
        ?: error("set -Drantau.server.bin to the rantau-server binary")
    // The token goes through the environment, never argv (the server refuses it there).
    private val process: Process = ProcessBuilder(bin, "serve", "--addr", "127.0.0.1:0")
        .also { it.environment()["RANTAU_ADMIN_TOKEN"] = adminToken }
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start()
    val url: String

    init {
        val out = BufferedReader(InputStreamReader(process.inputStream))
        val line = out.readLine() ?: error("rantau-server exited before listening")
        url = Regex("""https?://\S+""").find(line)?.value?.trimEnd('/') ?: error("no URL in: $line")
    }

    /** Runs `rantau-server officer <args>` against this server and returns its stdout. */
    fun officer(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "officer", "--server", url) + args)
            .also { it.environment()["RANTAU_ADMIN_TOKEN"] = adminToken }
            .redirectErrorStream(true)
            .start()
        val text = p.inputStream.bufferedReader().readText()
        check(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) { "officer ${args.toList()} failed: $text" }
        return text
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

fun tempDir(): File = Files.createTempDirectory("rantau-kt").toFile().also { it.deleteOnExit() }

private fun day(d: LocalDate) = FieldInput.Text(d.toString())

/** The sample worker's registration (core/src/forms/samples.rs), dates moved to be valid today. */
fun registrationInputs(today: LocalDate = LocalDate.now()): List<Pair<String, FieldInput>> {
    val start = today.plusDays(30)
    val t = { s: String -> FieldInput.Text(s) }
    return listOf(
        "nik" to t("3515 1457 0895 0001"),
        "full_name" to t("Sri Wahyuni"),
        "birth_place" to t("Sidoarjo"),
        "birth_date" to t("17-08-1995"),
        "sex" to t("F"),
        "mother_maiden_name" to t("Suminah"),
        "address" to t("Jl. Melati No. 5, RT 02/RW 03"),
        "village" to t("Sidokare"),
        "district" to t("Sidoarjo"),
        "regency" to t("Kabupaten Sidoarjo"),
        "province" to t("Jawa Timur"),
        "phone_id" to t("0812-3456-7890"),
        "destination_country" to t("HK"),
        "phone_abroad" to t("9123 4567"),
        "passport_number" to t("C1234567"),
        "passport_expiry" to day(today.plusYears(5)),
        "scheme" to t("p3mi"),
        "placement_phase" to t("pre_placement"),
        "placement_company" to t("PT Contoh Penempatan"),
        "employer_name" to t("Chan Tai Man"),
        "job" to t("domestic_worker"),
        "contract_start" to day(start),
        "departure_date" to day(start),
        "contract_end" to day(start.plusMonths(24).minusDays(1)),
        "jkk_jkm" to FieldInput.Bool(true),
        "jht_opt_in" to t("yes"),
        "jht_amount" to t("100000"),
        "heirs[0].name" to t("Suminah"),
        "heirs[0].relationship" to t("parent"),
        "heirs[0].birth_date" to t("1970-03-12"),
        "emergency_name" to t("Bambang Santoso"),
        "emergency_relationship" to t("sibling"),
        "emergency_phone" to t("+6285712345678"),
        "data_true" to FieldInput.Bool(true),
        "data_processing" to FieldInput.Bool(true),
    )
}

/** Small scans of the documents a registration before placement needs (Permenaker 4/2023): KTP and family card. */
val registrationDocuments: List<Pair<String, ByteArray>> = listOf("ktp_photo" to scan(1), "kk_photo" to scan(2))

private fun scan(seed: Int) = ByteArray(64) { i -> if (i < 3) byteArrayOf(-1, -40, -1)[i] else (i * seed).toByte() }

/** Attaches [registrationDocuments] to [draft], so a filled registration can be finalized. */
fun attachRegistrationDocuments(draft: RantauDraft) {
    for ((field, bytes) in registrationDocuments) draft.attach(field, bytes, "image/jpeg")
}

/** A consultation about registration [registrationId]. */
fun consultationInputs(registrationId: String?): List<Pair<String, FieldInput>> {
    val t = { s: String -> FieldInput.Text(s) }
    return listOfNotNull(
        "category" to t("registration"),
        "subject" to t("Kapan kartu saya aktif?"),
        "message" to t("Saya berangkat bulan depan. Kapan perlindungan saya mulai?"),
        "contact_channel" to t("whatsapp"),
        "contact_phone" to t("+60123456789"),
        registrationId?.let { "registration_ref" to t(it) },
    )
}

/** Starts a draft of [formId] and types [inputs] into it, one autosave each. */
suspend fun Rantau.draftWith(formId: String, inputs: List<Pair<String, FieldInput>>): RantauDraft =
    startDraft(formId).also { draft -> for ((path, input) in inputs) draft.input(path, input) }

/**
 * One input as a screen sees it: the screen held before, with the core's reply (one
 * field, or the whole screen) applied; checked against the screen the core builds now.
 */
fun RantauDraft.typed(path: String, input: FieldInput): FormScreen {
    val held = screen().applied(input(path, input))
    org.junit.jupiter.api.Assertions.assertEquals(screen(), held, "after an input at $path")
    return held
}

/** Asserts non-null and returns the value (JUnit's assertNotNull returns nothing). */
fun <T : Any> nn(value: T?, message: String = "expected a value"): T {
    org.junit.jupiter.api.Assertions.assertNotNull(value, message)
    return value!!
}
