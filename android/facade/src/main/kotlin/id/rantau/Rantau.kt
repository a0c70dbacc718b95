package id.rantau

import id.rantau.core.AttachmentInfo
import id.rantau.core.BackupSummary
import id.rantau.core.Card
import id.rantau.core.ChoiceItem
import id.rantau.core.Contribution
import id.rantau.core.DraftSummary
import id.rantau.core.FormInfo
import id.rantau.core.Help
import id.rantau.core.Lang
import id.rantau.core.LinkChannel
import id.rantau.core.LinkPending
import id.rantau.core.LinkRequest
import id.rantau.core.Linked
import id.rantau.core.StatusCard
import id.rantau.core.OutboxItem
import id.rantau.core.OutboxSummary
import id.rantau.core.PaymentInstructions
import id.rantau.core.PinStatus
import id.rantau.core.ProfileEntry
import id.rantau.core.Reminder
import id.rantau.ffi.RantauException
import id.rantau.ffi.RantauDraft
import id.rantau.ffi.RantauProfile
import id.rantau.ffi.exportDamagedProfile
import id.rantau.ffi.setAsideDamagedProfile
import id.rantau.core.Network
import id.rantau.core.SyncSettings
import id.rantau.core.SyncStatus
import id.rantau.core.SyncListener
import id.rantau.core.Thread
import id.rantau.core.WhatNext
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.withContext
import java.io.Closeable
import java.io.File
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean

/**
 * One open, encrypted profile: the whole API the app uses. Thin on purpose: every
 * call is one call into the Rust core, run on [io] (never the main thread).
 *
 * Cancellation: cancelling the coroutine of [sync] drops the Rust future; the core writes each step atomically, so nothing is lost
 * and the next sync resends what was in flight (the server keeps it exactly once).
 *
 * Lifetime: [close] releases the database; later calls throw [RantauException.Closed].
 */
class Rantau private constructor(
    private val profile: RantauProfile,
    private val io: CoroutineDispatcher,
    /** Identifies the profile across instances (its directory and name). */
    private val identity: String,
) : Closeable {

    companion object {
        /** Creates profile [name] in [dir] with a 32-byte key in hex. */
        suspend fun create(dir: File, name: String, keyHex: String, io: CoroutineDispatcher = Dispatchers.IO): Rantau =
            withContext(io) { Rantau(RantauProfile.withKeyHex(dir.path, name, keyHex, true), io, identity(dir, name)) }

        /** Opens the existing profile [name] in [dir]; a wrong key throws [RantauException.WrongKey]. */
        suspend fun open(dir: File, name: String, keyHex: String, io: CoroutineDispatcher = Dispatchers.IO): Rantau =
            withContext(io) { Rantau(RantauProfile.withKeyHex(dir.path, name, keyHex, false), io, identity(dir, name)) }

        /** Opens (or creates) with the key as 32 raw bytes, as the Android Keystore unwraps it. */
        suspend fun withKey(
            dir: File,
            name: String,
            key: ByteArray,
            create: Boolean,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): Rantau = withContext(io) {
            Rantau(RantauProfile.withKeyBytes(dir.path, name, key, create), io, identity(dir, name))
        }

        /**
         * Sets the damaged profile [name] aside (its open failed with [RantauException.Storage]
         * `store.not_a_database`) so the worker can create it again with [withKey]. The file is
         * renamed, never deleted: the returned file is what support can recover from. A profile
         * that opens throws [RantauException.InvalidInput] `profile.not_damaged`.
         */
        suspend fun setAsideDamaged(
            dir: File,
            name: String,
            key: ByteArray,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): File = withContext(io) { File(setAsideDamagedProfile(dir.path, name, key)) }

        /**
         * Restores the backup file [from] as the new profile [name] in [dir] with [key] (32 raw
         * bytes) and opens it: the new phone's "restore". Forms that were on their way are still
         * delivered exactly once. A wrong passphrase or a changed file throws
         * [RantauException.WrongKey] (`backup.wrong_passphrase`); a cut or foreign file
         * [RantauException.InvalidInput] (`backup.damaged`, `backup.too_new`); nothing is made.
         */
        suspend fun importBackup(
            dir: File,
            name: String,
            key: ByteArray,
            from: File,
            passphrase: String,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): Rantau = withContext(io) {
            Rantau(RantauProfile.importBackup(dir.path, name, key, from.path, passphrase), io, identity(dir, name))
        }

        /** What the backup file [from] holds, checked with [passphrase]; restores nothing. */
        suspend fun inspectBackup(from: File, passphrase: String, io: CoroutineDispatcher = Dispatchers.IO): BackupSummary =
            withContext(io) { id.rantau.ffi.inspectBackup(from.path, passphrase) }

        /** Saves a damaged profile [file] that was set aside to the backup [to], as far as it reads. */
        suspend fun exportDamaged(
            file: File,
            key: ByteArray,
            to: File,
            passphrase: String,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): BackupSummary = withContext(io) { exportDamagedProfile(file.path, key, to.path, passphrase) }

        /**
         * The profile list of [dir] for the first screen: each profile's `name` (to open it) and
         * its `label` (the name, or "Profil 1", "Profil 2" … in [lang] while this device hides names).
         */
        suspend fun profiles(dir: File, lang: Lang, io: CoroutineDispatcher = Dispatchers.IO): List<ProfileEntry> =
            withContext(io) { id.rantau.ffi.profileEntries(dir.path, lang) }

        /** True when this device's profile list in [dir] hides the workers' names. */
        fun namesHidden(dir: File): Boolean = id.rantau.ffi.namesHidden(dir.path)

        /** Hides (or shows again) the names in this device's profile list in [dir]. */
        suspend fun setNamesHidden(dir: File, hidden: Boolean, io: CoroutineDispatcher = Dispatchers.IO) =
            withContext(io) { id.rantau.ffi.setNamesHidden(dir.path, hidden) }

        /** A new random profile key (hex); generate once, then keep it wrapped by the Keystore. */
        fun generateKeyHex(): String = id.rantau.ffi.generateKeyHex()

        private fun identity(dir: File, name: String) = File(dir, name).canonicalPath

        /** A computer's network (tests, desktop): connected, unmetered, not roaming. */
        val WIRED = Network(connected = true, unmetered = true, roaming = false)

        /**
         * One change counter per profile, shared by every instance in this process:
         * the screen's instance sees the outbox change when the sync worker's instance
         * syncs. (Another process would need a database trigger; the app runs one.)
         */
        private val changeCounters = ConcurrentHashMap<String, MutableStateFlow<Long>>()
    }

    private val closed = AtomicBoolean(false)

    /** Bumped after every call that may change the outbox; drives [outboxFlow]. */
    private val changes: MutableStateFlow<Long> = changeCounters.computeIfAbsent(identity) { MutableStateFlow(0L) }

    private val state = MutableStateFlow(profile.syncStatus())

    /** The core tells every instance of this profile of every change, whoever syncs. */
    private val watch = profile.watchSync(
        object : SyncListener {
            override fun onStatus(status: SyncStatus) {
                state.value = status
                // A finished run changed the outbox: screens of any instance re-read it.
                if (!status.running) changes.update { it + 1 }
            }
        },
    )

    /**
     * This profile's sync state, worded by the core: one per profile in the process,
     * so a sync started by the screens or by the background worker shows in both.
     */
    val syncStatus: StateFlow<SyncStatus> = state.asStateFlow()

    private fun live(): RantauProfile {
        if (closed.get()) throw RantauException.Closed("profile.closed")
        return profile
    }

    private suspend fun <T> call(block: (RantauProfile) -> T): T = withContext(io) { block(live()) }

    private suspend fun <T> change(block: (RantauProfile) -> T): T =
        try {
            call(block)
        } finally {
            changes.update { it + 1 }
        }

    /**
     * Runs [block] (a call on one of this profile's drafts, from [FormSession]) on [io]:
     * what reads or writes the store never runs on the main thread. [changesOutbox]: the call
     * may queue a submission, so [outboxFlow] looks again afterwards.
     */
    internal suspend fun <T> onIo(changesOutbox: Boolean = false, block: () -> T): T =
        try {
            withContext(io) {
                live()
                block()
            }
        } finally {
            if (changesOutbox) changes.update { it + 1 }
        }

    /**
     * Runs [block] (a keystroke on one of this profile's drafts, from [FormSession]) on
     * the caller's thread: only for calls the core answers from memory, without I/O.
     */
    internal fun <T> inMemory(block: () -> T): T {
        live()
        return block()
    }

    /**
     * Writes every keystroke the core has queued (it writes them within moments on
     * its own thread; every other call, and [close], writes them first). For the
     * app going to the background, when the system may end the process.
     */
    suspend fun flush() = call { it.flush() }

    /** The language of messages and titles. */
    suspend fun setLanguage(lang: Lang) = call { it.setLanguage(lang) }

    /** The profile's language (the core's messages are in it). */
    suspend fun language(): Lang = call { it.language() }

    /** The forms a user can start. */
    suspend fun forms(): List<FormInfo> = call { it.forms() }

    /** The document pages of a draft or of the submission it became. */
    suspend fun attachments(id: String): List<AttachmentInfo> = call { it.attachments(id) }

    /**
     * The bytes of page [attachmentId] (a JPEG, PNG or PDF) to preview it; throws
     * [RantauException] `attachment.not_found` once the phone let it go after upload.
     */
    suspend fun pageBytes(attachmentId: String): ByteArray = call { it.attachmentBytes(attachmentId) }

    /** Drafts, most recently changed first. */
    suspend fun drafts(): List<DraftSummary> = call { it.drafts() }

    /** Deletes a draft and its files (a finalized form throws [RantauException.InvalidInput] `draft.finalized`). */
    suspend fun deleteDraft(draftId: String) = call { it.deleteDraft(draftId) }

    /** Writes this profile to the backup file [to], protected by [passphrase] (10 characters or more). */
    suspend fun exportBackup(to: File, passphrase: String): BackupSummary = call { it.exportBackup(to.path, passphrase) }

    /** Finalize; errors in the answers throw [RantauException.Validation] with every issue. */
    suspend fun finalize(draftId: String): OutboxItem = change { it.finalize(draftId) }

    /** Starts a draft of [formId] on its form screen (the core's draft session); [FormSession] wraps it for a screen. */
    suspend fun startDraft(formId: String): RantauDraft = call { it.startDraft(formId) }

    /** "Register": the unfinished registration or a new one (other forms: a new draft); [FormSession.startOrResume] wraps it. */
    suspend fun startOrResumeDraft(formId: String): RantauDraft = call { it.startOrResumeDraft(formId) }

    /** Opens draft [draftId] on its form screen, on the page last changed. */
    suspend fun openDraft(draftId: String): RantauDraft = call { it.openDraft(draftId) }

    /**
     * The countries a country field offers ([id.rantau.core.FieldSlot.destinationsOnly]),
     * names in the profile's language. Load once per screen, not per keystroke.
     */
    suspend fun countries(destinationsOnly: Boolean): List<ChoiceItem> = call { it.countries(destinationsOnly) }

    /**
     * How many submissions are in each bucket, with the home screen's line and the data
     * budget: `toSendBytes` still to send (of which `documentsBytes` are document files)
     * and `toSend`, that size worded in MB ("2,4 MB menunggu dikirim").
     */
    suspend fun outboxSummary(): OutboxSummary = call { it.outboxSummary() }

    /** What happens after submission [submissionId] was finalized, in the worker's words. */
    suspend fun whatNext(submissionId: String): WhatNext = call { it.whatNext(submissionId) }

    /** The outbox, oldest first. */
    suspend fun outbox(): List<OutboxItem> = call { it.outbox() }

    /** Fix and resubmit a rejected submission: a new draft with its answers; returns its id (open it with [FormSession.resume]). */
    suspend fun reopenRejected(submissionId: String): String = change { it.reopenRejected(submissionId) }

    /**
     * Takes a finalized form that never left the phone back to a draft with the same id
     * (open it with [FormSession.resume]); once any of it may have reached the server it
     * stays ([RantauException.InvalidInput] `submission.already_left`).
     */
    suspend fun withdraw(submissionId: String): String = change { it.withdraw(submissionId) }

    /** The home screen's status card, from the local cache. */
    suspend fun statusCard(): StatusCard = call { it.statusCard() }

    /** How old data fetched at [fetchedAt] (unix ms) is now, in the profile's language. */
    suspend fun age(fetchedAt: Long?): String = call { it.age(fetchedAt) }

    /** The membership card, once decided. */
    suspend fun card(): Card? = call { it.card() }

    /** The numbers to call now in the worker's destination (all of Indonesia's lines while it is not known). */
    suspend fun help(): Help = call { it.help() }

    /**
     * The reminders to schedule from today (the payment deadline while unpaid, JHT monthly),
     * worded by the core; each id replaces an alarm scheduled before under it.
     */
    suspend fun reminders(): List<Reminder> = call { it.reminders() }

    /** How to pay, once decided. */
    suspend fun paymentInstructions(): PaymentInstructions? = call { it.paymentInstructions() }

    /** Consultations and their replies. */
    suspend fun threads(): List<Thread> = call { it.threads() }

    /** Recorded contributions. */
    suspend fun contributions(): List<Contribution> = call { it.contributions() }

    /**
     * The outbox now and after every change to it made in this process (finalize,
     * reopen, sync — through this instance or another of the same profile).
     * Read-after-change: no database trigger is involved.
     */
    fun outboxFlow(): Flow<List<OutboxItem>> =
        changes.map { live().outbox() }.distinctUntilChanged().flowOn(io)

    /** The outbox's buckets and the home screen's line, now and after every change (like [outboxFlow]). */
    fun outboxSummaryFlow(): Flow<OutboxSummary> =
        changes.map { live().outboxSummary() }.distinctUntilChanged().flowOn(io)

    /**
     * One sync, if [network] and the worker's settings allow (otherwise the state
     * says why it waits and what would help); progress goes to [syncStatus].
     * Cancelling the coroutine drops the Rust future and raises the core's stop
     * flag, so the core stops at its next step. Returns the state afterwards.
     */
    suspend fun sync(serverUrl: String, network: Network = WIRED): SyncStatus =
        try {
            withContext(io) { live().sync(serverUrl, network) }
        } catch (e: CancellationException) {
            stopSync()
            throw e
        } finally {
            changes.update { it + 1 }
        }

    /**
     * "Saya sudah terdaftar": asks the server for a one-time code to link this phone to the
     * worker named by [nikOrKpj] (16 digits: a NIK; else a KPJ) and [birthDate] (`DD-MM-YYYY`),
     * sent by e-mail to the address the agency holds for them ([LinkChannel.EMAIL]) or given
     * by an officer at a service point ([LinkChannel.OFFICER]). The answer is the same whether
     * or not the details match anyone. Bad input throws [RantauException.InvalidInput] `link.invalid`.
     */
    suspend fun linkStart(serverUrl: String, nikOrKpj: String, birthDate: String, channel: LinkChannel): LinkPending =
        withContext(io) { live().linkStart(serverUrl, LinkRequest(nikOrKpj, birthDate, channel)) }

    /**
     * Types the one-time [code]: links this phone, then syncs so the card, status, payments and
     * replies appear. A wrong, expired, used or locked code throws [RantauException.InvalidInput]
     * (`link.code_wrong`, `link.code_expired`, `link.code_used`, `link.locked`); nothing changes.
     */
    suspend fun linkConfirm(serverUrl: String, code: String, network: Network = WIRED): Linked =
        try {
            withContext(io) { live().linkConfirm(serverUrl, code, network) }
        } finally {
            changes.update { it + 1 }
        }

    /** True while a link attempt waits for its code on this phone. */
    suspend fun linkPending(): Boolean = call { it.linkPending() }

    /** The worker's data-use settings (Wi-Fi only, while roaming, documents only on Wi-Fi). */
    suspend fun syncSettings(): SyncSettings = call { it.syncSettings() }

    /**
     * The profile's PIN state, readable while locked: ask for a PIN when `hasPin` and not
     * `unlocked`; `line` says the tries left or how long to wait, in the profile's language.
     */
    suspend fun pinStatus(): PinStatus = call { it.pinStatus() }

    /**
     * Opens this instance for the user with [pin]. A wrong PIN throws [RantauException.WrongKey]
     * `pin.wrong`, a running wait `pin.locked` (then [pinStatus] says more). Until then the calls on
     * the worker's data throw [RantauException.WrongKey] `pin.required`; [sync] and [reminders] work
     * without it (the background sync never asks for it).
     */
    suspend fun unlock(pin: String) = call { it.unlock(pin) }

    /** Locks this instance again (the app went to the background); no effect without a PIN. */
    suspend fun lockAgain() = call { it.lockAgain() }

    /**
     * Sets a PIN (4 to 8 digits) on a profile without one; [RantauException.InvalidInput]
     * `pin.format`, `pin.trivial` (0000, 1234 …), `pin.exists`.
     */
    suspend fun setPin(pin: String) = call { it.setPin(pin) }

    /** Replaces the PIN, given the [current] one (errors as [unlock] and [setPin]). */
    suspend fun changePin(current: String, newPin: String) = call { it.changePin(current, newPin) }

    /** Removes the PIN, given the [current] one (errors as [unlock]). */
    suspend fun removePin(current: String) = call { it.removePin(current) }

    /** Keeps the worker's data-use settings; the next sync follows them. */
    suspend fun setSyncSettings(settings: SyncSettings) = call { it.setSyncSettings(settings) }

    /** "Send again" on a submission that needs help; returns it in its bucket. */
    suspend fun sendAgain(submissionId: String): OutboxItem = change { it.sendAgain(submissionId) }

    /**
     * Trusts only the root certificates in [pem] (PEM text) for this profile's next
     * syncs, instead of the phone's trust store: for a test or staging server with its
     * own authority. The app never calls it. Host names and expiry are still checked.
     * @throws RantauException.InvalidInput (`sync.invalid_roots`) when [pem] holds no certificate.
     */
    fun trustOnlyRoots(pem: String) = live().trustOnlyRoots(pem)

    /** Asks a running sync of this profile to stop at its next step (nothing is lost). */
    fun stopSync() {
        if (!closed.get()) runCatching { profile.stopSync() }
    }

    /** True after [close]. */
    val isClosed: Boolean get() = closed.get()

    /** Closes the profile (a running sync stops at its next step). Idempotent. */
    override fun close() {
        if (closed.compareAndSet(false, true)) {
            runCatching { profile.unwatchSync(watch) }
            profile.closeProfile()
            profile.close()
        }
    }
}

/** The stable code of any [RantauException] (the same as the core's `Error::code`). */
val RantauException.code: String
    get() = when (this) {
        is RantauException.Validation -> code
        is RantauException.NotFound -> code
        is RantauException.WrongKey -> code
        is RantauException.Storage -> code
        is RantauException.Network -> code
        is RantauException.Auth -> code
        is RantauException.Interrupted -> code
        is RantauException.InvalidInput -> code
        is RantauException.Closed -> code
        is RantauException.Internal -> code
    }
