package id.rantau.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.ScrollableTabRow
import androidx.compose.material3.Tab
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.FinalizeOutcome
import id.rantau.FormSession
import id.rantau.Rantau
import id.rantau.app.R
import id.rantau.code
import id.rantau.core.ChoiceItem
import id.rantau.core.QuoteView
import id.rantau.core.Review
import id.rantau.core.WhatNext
import id.rantau.core.Lang
import id.rantau.ffi.RantauException
import id.rantau.ffi.errorMessage
import kotlinx.coroutines.launch
import id.rantau.core.FormScreen as DraftScreen

/**
 * The generic form renderer: whatever form the core defines (registration,
 * consultation, data update) is drawn from the core's form screen as it comes,
 * page by page. Every keystroke is saved; the core decides which messages show,
 * the page tabs' error counts, the values as shown and the contribution due.
 */
@Composable
fun FormScreen(
    app: Rantau,
    language: Lang,
    formId: String?,
    draftId: String?,
    onOpened: (draftId: String) -> Unit = {},
    onDone: (queued: Boolean) -> Unit,
) {
    var session by remember { mutableStateOf<FormSession?>(null) }
    var failure by remember { mutableStateOf<String?>(null) }
    // Country fields offer the same lists on every page: read once per screen.
    var countries by remember { mutableStateOf(Countries()) }
    LaunchedEffect(formId, draftId) {
        try {
            session = when {
                draftId != null -> FormSession.resume(app, draftId)
                // The core decides: "Register" opens the unfinished registration, a question starts anew.
                formId != null -> FormSession.startOrResume(app, formId)
                else -> null
            }
            countries = Countries(all = app.countries(false), destinations = app.countries(true))
            session?.let { onOpened(it.draftId) }
        } catch (e: RantauException) {
            failure = errorMessage(e.code, language)
        }
    }
    val s = session
    if (s == null) {
        Page(stringResource(R.string.app_name), onBack = { onDone(false) }) {
            failure?.let { ErrorText(it) } ?: LinearProgressIndicator()
        }
        return
    }
    val screen by s.state.collectAsState()
    // Set by "check answers" on the last page: the review, then the confirm.
    var review by remember { mutableStateOf<Review?>(null) }
    // Set once the confirm queued the form: what happens next.
    var whatNext by remember { mutableStateOf<WhatNext?>(null) }
    val scope = rememberCoroutineScope()
    // Each action is one call; launched in the order made, the session saves them in that order.
    val act: Act = { action ->
        scope.launch {
            failure = try {
                s.action()
                null
            } catch (e: RantauException) {
                errorMessage(e.code, language)
            }
        }
    }
    whatNext?.let { next ->
        WhatNextView(next, onDone = { onDone(true) })
        return
    }
    review?.let { r ->
        ReviewView(
            r,
            failure,
            onChange = { page -> act { goTo(page); review = null } },
            // The core may still refuse (a rule across pages): then its page with the issue shows.
            onConfirm = {
                act {
                    when (val done = finalize()) {
                        is FinalizeOutcome.Queued -> whatNext = done.next
                        is FinalizeOutcome.NeedsFixes -> review = null
                    }
                }
            },
            onBack = { review = null },
        )
        return
    }
    ListPage(screen.title, onBack = { onDone(false) }) {
        PageTabs(screen, onSelect = { page -> act { goTo(page) } })
        Text(screen.pageTitle, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp))
        Text(screen.progress, style = MaterialTheme.typography.bodySmall)
        LazyColumn(Modifier.weight(1f)) {
            // An urgent answer (a work accident): the numbers to call now, before anything is queued.
            screen.urgentHelp?.let { help -> item { HelpCard(help) } }
            items(screen.fields, key = { it.path }) { slot -> FieldInputView(slot, countries, act) }
            if (screen.isLastPage) screen.contribution?.let { quote -> item { Summary(quote) } }
        }
        for (issue in screen.formIssues) IssueText(issue)
        failure?.let { ErrorText(it) }
        Row(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
            if (screen.canGoBack) OutlinedButton(onClick = { act { previous() } }) { Text(stringResource(R.string.previous)) }
            Column(Modifier.weight(1f)) {}
            if (!screen.isLastPage) {
                Button(onClick = { act { next() } }) { Text(stringResource(R.string.next)) }
            } else {
                Button(onClick = { act { review = review() } }) { Text(stringResource(R.string.review)) }
            }
        }
    }
}

/** Launches one action on the form session. */
typealias Act = (suspend FormSession.() -> Unit) -> Unit

/** The country lists of [id.rantau.core.FieldSlot.destinationsOnly] false and true. */
data class Countries(val all: List<ChoiceItem> = emptyList(), val destinations: List<ChoiceItem> = emptyList())

/** Every page, the one shown selected, with the errors the core shows on each. */
@Composable
private fun PageTabs(screen: DraftScreen, onSelect: (UInt) -> Unit) {
    ScrollableTabRow(selectedTabIndex = screen.page.toInt(), edgePadding = 0.dp) {
        screen.pages.forEachIndexed { i, tab ->
            Tab(selected = tab.current, onClick = { onSelect(i.toUInt()) }, text = {
                if (tab.errors > 0u) {
                    BadgedBox(badge = { Badge { Text(tab.errors.toString()) } }) { Text(tab.title) }
                } else {
                    Text(tab.title)
                }
            })
        }
    }
}

/** Before finalize: the contribution due, as the core words it. */
@Composable
internal fun Summary(quote: QuoteView) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(quote.title, style = MaterialTheme.typography.titleMedium)
            for (line in quote.lines) Text("${line.label}: ${line.amount}")
            Text("${quote.total.label}: ${quote.total.amount}", style = MaterialTheme.typography.titleMedium)
            quote.note?.let { Text(it) }
        }
    }
}
