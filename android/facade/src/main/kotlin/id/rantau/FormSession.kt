package id.rantau

import id.rantau.ffi.AnswerValue
import id.rantau.core.AttachmentInfo
import id.rantau.ffi.DraftView
import id.rantau.core.FeeQuote
import id.rantau.ffi.FieldInput
import id.rantau.ffi.FieldKind
import id.rantau.ffi.FieldView
import id.rantau.ffi.FormView
import id.rantau.core.Issue
import id.rantau.core.OutboxItem
import id.rantau.ffi.RantauException
import id.rantau.ffi.SetFieldResult
import id.rantau.core.Severity
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** One field instance on screen: a top-level field, or a field of repeat item `heirs[0]`. */
data class FieldSlot(
    /** The path the core knows it by (`nik`, `heirs[0].name`). */
    val path: String,
    /** Its definition (kind, label, choices…). */
    val field: FieldView,
    /** What is stored, `null` when empty. */
    val value: AnswerValue?,
    /** Its current messages, errors first. */
    val issues: List<Issue>,
    /** For a repeat group: its items' fields, item by item. */
    val items: List<List<FieldSlot>> = emptyList(),
) {
    /** True when an error (not a warning) is shown. */
    val hasError: Boolean get() = issues.any { it.severity == Severity.ERROR }
}

/**
 * Everything the generic form renderer draws for one draft: immutable, so a
 * Compose screen just renders the latest one.
 */
data class FormUi(
    /** The form, localized. */
    val form: FormView,
    /** The draft being filled. */
    val draftId: String,
    /** The page shown (0-based). */
    val page: Int,
    /** Stored answers by path. */
    val values: Map<String, AnswerValue>,
    /** Current messages by path (`""`: about the whole form). */
    val issues: Map<String, List<Issue>>,
    /** Paths hidden now. */
    val hidden: Set<String>,
    /** Items of each repeat group. */
    val itemCounts: Map<String, Int>,
    /** Pages of each document field, in order. */
    val documents: Map<String, List<AttachmentInfo>>,
    /** The contribution due, once the placement answers allow a quote. */
    val contribution: FeeQuote?,
) {
    /** Number of pages. */
    val pageCount: Int get() = form.pages.size

    /** True on the last page (show "review and finalize" instead of "next"). */
    val isLastPage: Boolean get() = page == pageCount - 1

    /** The visible field instances of [pageIndex], repeat items expanded. */
    fun slots(pageIndex: Int = page): List<FieldSlot> =
        form.pages.getOrNull(pageIndex)?.fields.orEmpty()
            .filter { it.id !in hidden }
            .map { slot(it) }

    private fun slot(f: FieldView): FieldSlot {
        if (f.kind != FieldKind.REPEAT) return FieldSlot(f.id, f, values[f.id], issuesAt(f.id))
        val items = (0 until (itemCounts[f.id] ?: 0)).map { i ->
            f.fields.map { sub -> itemPath(f.id, i, sub.id) to sub }
                .filter { (path, _) -> path !in hidden }
                .map { (path, sub) -> FieldSlot(path, sub, values[path], issuesAt(path)) }
        }
        return FieldSlot(f.id, f, null, issuesAt(f.id), items)
    }

    private fun issuesAt(path: String): List<Issue> =
        issues[path].orEmpty().sortedBy { if (it.severity == Severity.ERROR) 0 else 1 }

    /** Errors on [pageIndex] (its fields and their repeat items). */
    fun errorsOn(pageIndex: Int): Int {
        val ids = form.pages.getOrNull(pageIndex)?.fields.orEmpty().map { it.id }.toSet()
        return issues.filterKeys { groupOf(it) in ids }.values.sumOf { list -> list.count { it.severity == Severity.ERROR } }
    }

    /** The first page with an error, or `null`. */
    fun firstPageWithErrors(): Int? = (0 until pageCount).firstOrNull { errorsOn(it) > 0 }

    /** Messages about the whole form (not one field). */
    val formIssues: List<Issue> get() = issues[""].orEmpty()

    internal companion object {
        fun itemPath(group: String, index: Int, field: String) = "$group[$index].$field"

        /** `heirs[0].name` → `heirs`; `nik` → `nik`. */
        fun groupOf(path: String): String = path.substringBefore('[')

        fun of(form: FormView, draft: DraftView, page: Int, documents: Map<String, List<AttachmentInfo>>) = FormUi(
            form = form,
            draftId = draft.id,
            page = page,
            values = draft.answers.associate { it.path to it.value },
            issues = draft.issues.groupBy { it.path },
            hidden = draft.hidden.toSet(),
            itemCounts = draft.itemCounts.associate { it.group to it.count.toInt() },
            documents = documents,
            contribution = draft.contribution,
        )
    }
}

/** The answer of [FormSession.finalize]. */
sealed interface FinalizeOutcome {
    /** Frozen and queued: it leaves with the next sync. */
    data class Queued(val item: OutboxItem) : FinalizeOutcome

    /** Not yet: every issue is on screen, and the session shows the first page with an error. */
    data class NeedsFixes(val issues: List<Issue>, val page: Int) : FinalizeOutcome
}

/**
 * The presenter behind the generic form renderer: one draft, one [state] to draw,
 * one core call per user action (typing a field, attaching a page, turning a page,
 * finalizing). Free of `android.*`, so it is tested on the JVM.
 *
 * Messages: an autosave brings the field's own messages and the complete messages
 * of every field it is cross-checked with (`SetFieldResult.rechecked`); turning a
 * page re-reads the whole draft, so "required" appears there and at finalize, never
 * while the user is still typing.
 */
class FormSession private constructor(
    private val app: Rantau,
    form: FormView,
    draft: DraftView,
    documents: Map<String, List<AttachmentInfo>>,
) {
    private val ui = MutableStateFlow(FormUi.of(form, draft, 0, documents))

    /** What to draw now. */
    val state: StateFlow<FormUi> = ui.asStateFlow()

    /** The draft's id. */
    val draftId: String get() = ui.value.draftId

    companion object {
        /** Starts a new draft of [formId]. */
        suspend fun start(app: Rantau, formId: String): FormSession {
            val draft = app.newDraft(formId)
            return FormSession(app, app.form(formId, draft.formVersion), draft, emptyMap())
        }

        /** Continues draft [draftId] (after a restart, or a reopened rejected submission). */
        suspend fun resume(app: Rantau, draftId: String): FormSession {
            val draft = app.draft(draftId)
            val pages = app.attachments(draftId).groupBy { it.fieldPath }.mapValues { (_, v) -> v.sortedBy { it.page } }
            return FormSession(app, app.form(draft.formId, draft.formVersion), draft, pages)
        }
    }

    /** Serializes calls: keystrokes saved in the order typed, never an older one last. */
    private val order = Mutex()

    /** Autosaves one field; the screen updates from [state]. */
    suspend fun set(path: String, input: FieldInput): SetFieldResult = order.withLock {
        val r = app.setField(draftId, path, input)
        ui.update { it.applied(r) }
        r
    }

    /** Autosaves typed text. */
    suspend fun setText(path: String, text: String): SetFieldResult = set(path, FieldInput.Text(text))

    /** Shows one more (empty) item of [group]; it is stored with its first answer. Returns its index. */
    fun addItem(group: String): Int {
        var index = 0
        ui.update { s ->
            index = s.itemCounts[group] ?: 0
            s.copy(itemCounts = s.itemCounts + (group to index + 1))
        }
        return index
    }

    /** Removes item [index] of [group] (later items move up). */
    suspend fun removeItem(group: String, index: Int) = order.withLock {
        app.removeRepeatItem(draftId, group, index)
        reload(ui.value.page)
    }

    /** Adds one page (a photo or a PDF) to document field [field]. */
    suspend fun attach(field: String, bytes: ByteArray, mimeHint: String? = null): AttachmentInfo = order.withLock {
        val page = app.attach(draftId, field, bytes, mimeHint)
        ui.update { s ->
            val pages = (s.documents[field].orEmpty().filter { it.page != page.page } + page).sortedBy { it.page }
            s.copy(
                documents = s.documents + (field to pages),
                values = s.values + (field to AnswerValue.Picked(pages.map { it.id })),
                issues = s.issues - field,
            )
        }
        page
    }

    /** Shows page [index] with every message of the draft (one read). */
    suspend fun goTo(index: Int) = order.withLock {
        reload(index.coerceIn(0, ui.value.pageCount - 1))
    }

    /** Next page. */
    suspend fun next() = goTo(ui.value.page + 1)

    /** Previous page. */
    suspend fun previous() = goTo(ui.value.page - 1)

    /**
     * Finalizes: either queued (the draft is gone; the submission is in the outbox),
     * or every issue shown and the first page with an error opened.
     */
    suspend fun finalize(): FinalizeOutcome = order.withLock {
        try {
            FinalizeOutcome.Queued(app.finalize(draftId))
        } catch (e: RantauException.Validation) {
            ui.update { s ->
                val withIssues = s.copy(issues = e.issues.groupBy { it.path })
                withIssues.copy(page = withIssues.firstPageWithErrors() ?: s.page)
            }
            FinalizeOutcome.NeedsFixes(e.issues, ui.value.page)
        }
    }

    private suspend fun reload(page: Int) {
        val draft = app.draft(draftId)
        ui.update { FormUi.of(it.form, draft, page, it.documents) }
    }
}

/** Applies one autosave: the stored value, the messages it re-checked, the visibility flips. */
internal fun FormUi.applied(r: SetFieldResult): FormUi {
    val values = r.stored?.let { values + (r.path to it) } ?: (values - r.path)
    val replaced = (r.rechecked + r.path).toSet()
    val issues = issues.filterKeys { it !in replaced } + r.issues.groupBy { it.path }
    val hidden = r.visibility.fold(hidden) { h, v -> if (v.visible) h - v.path else h + v.path }
    // A field of item `n` that did not exist yet grew the group.
    val grown = Regex("""^(\w+)\[(\d+)]\.""").find(r.path)?.let { m ->
        val (group, index) = m.destructured
        itemCounts + (group to maxOf(itemCounts[group] ?: 0, index.toInt() + 1))
    } ?: itemCounts
    return copy(values = values, issues = issues, hidden = hidden, itemCounts = grown)
}
