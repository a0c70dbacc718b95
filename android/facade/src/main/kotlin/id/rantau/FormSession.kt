package id.rantau

import id.rantau.core.Finalized
import id.rantau.core.FormScreen
import id.rantau.core.OutboxItem
import id.rantau.core.FieldInput
import id.rantau.core.FieldSlot
import id.rantau.core.FormUpdate
import id.rantau.core.Review
import id.rantau.core.WhatNext
import id.rantau.ffi.RantauDraft
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** The answer of [FormSession.finalize]. */
sealed interface FinalizeOutcome {
    /** Frozen and queued: it leaves with the next sync; the draft is gone. [next] is what happens next, to show at once. */
    data class Queued(val item: OutboxItem, val next: WhatNext) : FinalizeOutcome

    /** Not yet: the core shows every issue, on the first page that has one ([screen], also in [FormSession.state]). */
    data class NeedsFixes(val screen: FormScreen) : FinalizeOutcome
}

/**
 * One open draft for a Compose screen: [state] is the core's [FormScreen] to draw,
 * and each user action is one call to the draft ([RantauDraft]) whose answer becomes
 * the next [state] (a keystroke's answer may be its field alone, put in its place by
 * [applied]). A keystroke runs on the caller's thread: the core answers it from
 * memory and writes it a moment later on its own thread, so it never waits for the
 * disk. Every other action runs on the profile's IO dispatcher. The core decides
 * everything on the screen; this class only orders the calls.
 * Free of `android.*`, so it is tested on the JVM.
 */
class FormSession private constructor(
    private val app: Rantau,
    private val draft: RantauDraft,
    first: FormScreen,
) {
    private val screen = MutableStateFlow(first)

    /** What to draw now. */
    val state: StateFlow<FormScreen> = screen.asStateFlow()

    /** The draft's id. */
    val draftId: String get() = screen.value.draftId

    /**
     * One action at a time, in the order they were made: keystrokes launched one
     * after another are saved in the order typed, so the last one typed is the one stored.
     */
    private val order = Mutex()

    companion object {
        /** Starts a new draft of [formId] on its first page. */
        suspend fun start(app: Rantau, formId: String): FormSession = open(app, app.startDraft(formId))

        /**
         * "Register": the worker's unfinished registration on the page last changed, or a new one;
         * any other form starts a new draft. The core decides which.
         */
        suspend fun startOrResume(app: Rantau, formId: String): FormSession = open(app, app.startOrResumeDraft(formId))

        /** Continues draft [draftId] on the page last changed (after a restart, or a reopened rejected submission). */
        suspend fun resume(app: Rantau, draftId: String): FormSession = open(app, app.openDraft(draftId))

        private suspend fun open(app: Rantau, draft: RantauDraft) =
            FormSession(app, draft, app.onIo { draft.screen() })
    }

    /** Runs [action] on the draft after the actions before it and shows the screen it returns. */
    private suspend fun show(action: (RantauDraft) -> FormScreen): FormScreen = order.withLock {
        app.onIo { action(draft) }.also { screen.value = it }
    }

    /**
     * Autosaves one field (a keystroke, a pick, a date, a tick). The core answers with
     * that field alone when nothing else on the screen changed, else the whole screen.
     * Runs on the caller's thread (the main thread in the app): the core does no I/O
     * in it (its write is queued, see [Rantau.flush]), so the hop to [Rantau]'s IO
     * dispatcher would cost more than the call.
     */
    suspend fun input(path: String, input: FieldInput): FormScreen = order.withLock {
        val update = app.inMemory { draft.input(path, input) }
        screen.value.applied(update).also { screen.value = it }
    }

    /** Autosaves the text of an input box; a blank box empties the field. */
    suspend fun setText(path: String, text: String): FormScreen =
        input(path, if (text.isBlank()) FieldInput.Clear else FieldInput.Text(text))

    /** The field at [path] lost focus: its issues may show from now on. */
    suspend fun leave(path: String): FormScreen = show { it.leave(path) }

    /** One more, empty item of repeat group [group]. */
    suspend fun addItem(group: String): FormScreen = show { it.addItem(group) }

    /** Removes item [index] of repeat group [group] (later items move up). */
    suspend fun removeItem(group: String, index: UInt): FormScreen = show { it.removeItem(group, index) }

    /** Adds one page (a photo or a PDF) to the document field at [path]. */
    suspend fun attach(path: String, bytes: ByteArray, mimeHint: String? = null): FormScreen =
        show { it.attach(path, bytes, mimeHint) }

    /** Removes file [attachmentId] from the document field at [path]. */
    suspend fun removeAttachment(path: String, attachmentId: String): FormScreen =
        show { it.removeAttachment(path, attachmentId) }

    /** The bytes of page [attachmentId] of a document field, to preview it. */
    suspend fun pageBytes(attachmentId: String): ByteArray = app.pageBytes(attachmentId)

    /** Shows page [page] (0-based; the core clamps it). */
    suspend fun goTo(page: UInt): FormScreen = show { it.goTo(page) }

    /** The next page. */
    suspend fun next(): FormScreen = show { it.next() }

    /** The page before. */
    suspend fun previous(): FormScreen = show { it.previous() }

    /**
     * Every answer by page, labelled and readable, for the review screen; its
     * "send" button is [finalize], a line's "change" is [goTo] its page.
     */
    suspend fun review(): Review = order.withLock { app.onIo { draft.review() } }

    /**
     * Sends the form to the outbox ([FinalizeOutcome.Queued]; [Rantau.outboxFlow]
     * sees it), or shows every issue on the first page with one ([FinalizeOutcome.NeedsFixes]).
     */
    suspend fun finalize(): FinalizeOutcome = order.withLock {
        when (val done = app.onIo(changesOutbox = true) { draft.finalize() }) {
            is Finalized.Queued -> FinalizeOutcome.Queued(done.item, done.next)
            is Finalized.NeedsFixes -> {
                screen.value = done.screen
                FinalizeOutcome.NeedsFixes(done.screen)
            }
        }
    }
}

/**
 * This screen after [update]: the field it carries replaces the one with the same
 * path (inside a repeat item too), or the whole screen is replaced. The same as the
 * core's `FormScreen::apply`: no decision here, only putting the piece in its place.
 */
fun FormScreen.applied(update: FormUpdate): FormScreen = when (update) {
    is FormUpdate.Screen -> update.screen
    is FormUpdate.Field -> copy(fields = fields.map { it.replacedBy(update.slot) })
}

private fun FieldSlot.replacedBy(slot: FieldSlot): FieldSlot = when {
    path == slot.path -> slot
    items.isEmpty() -> this
    else -> copy(items = items.map { item -> item.copy(fields = item.fields.map { it.replacedBy(slot) }) })
}
