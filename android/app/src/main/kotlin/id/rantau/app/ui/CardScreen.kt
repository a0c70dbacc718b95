package id.rantau.app.ui

import android.content.Intent
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.TextButton
import androidx.compose.ui.platform.LocalClipboardManager
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.rantau.Rantau
import id.rantau.app.CardImage
import id.rantau.app.R
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import id.rantau.core.PaymentInstructions
import id.rantau.core.Card as MemberCard

/** The membership card and how to pay, from the local cache (works offline). */
@Composable
fun CardScreen(app: Rantau, onBack: () -> Unit) {
    val context = LocalContext.current
    var card by remember { mutableStateOf<MemberCard?>(null) }
    var pay by remember { mutableStateOf<PaymentInstructions?>(null) }
    var cardAge by remember { mutableStateOf("") }
    var payAge by remember { mutableStateOf("") }
    var savedNote by remember { mutableStateOf("") }
    val savedText = stringResource(R.string.card_image_saved)
    LaunchedEffect(app) {
        card = app.card()
        pay = app.paymentInstructions()
        cardAge = app.age(card?.fetchedAt)
        payAge = app.age(pay?.fetchedAt)
    }
    Page(stringResource(R.string.card_and_payment), onBack = onBack) {
        Column {
            val c = card
            if (c == null) {
                Text(stringResource(R.string.no_card_yet))
            } else {
                Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                    Column(Modifier.padding(16.dp)) {
                        Text("BPJS Ketenagakerjaan", style = MaterialTheme.typography.titleMedium)
                        Text(stringResource(R.string.kpj_number, c.kpj), style = MaterialTheme.typography.headlineSmall)
                        Text(stringResource(R.string.reference, c.reference))
                        Text(stringResource(R.string.data_age, cardAge))
                        Row {
                            CopyButton(c.kpj)
                            // The core words the card as text; the system's share sheet sends or keeps it.
                            TextButton(onClick = {
                                val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, c.shareText)
                                context.startActivity(Intent.createChooser(send, null))
                            }) { Text(stringResource(R.string.share_card)) }
                        }
                        Row {
                            // The card as a picture: into the gallery, or (Android 9 and older) the share sheet.
                            TextButton(onClick = {
                                savedNote = if (CardImage.saveToGallery(context, c.shareText)) savedText else ""
                                if (savedNote.isEmpty()) CardImage.share(context, c.shareText)
                            }) { Text(stringResource(R.string.save_card_image)) }
                            TextButton(onClick = { CardImage.share(context, c.shareText) }) { Text(stringResource(R.string.share_card_image)) }
                        }
                        if (savedNote.isNotEmpty()) Text(savedNote, Modifier.semantics { liveRegion = LiveRegionMode.Polite })
                    }
                }
            }
            pay?.let { p ->
                Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                    Column(Modifier.padding(16.dp)) {
                        Text(stringResource(if (p.paid) R.string.paid else R.string.how_to_pay), style = MaterialTheme.typography.titleMedium)
                        if (!p.paid) {
                            Text(stringResource(R.string.payment_code, p.paymentCode), style = MaterialTheme.typography.headlineSmall)
                            CopyButton(p.paymentCode)
                            Text(stringResource(R.string.amount_due, p.amountDueText))
                            // Digits only: what a banking app's amount box takes.
                            CopyButton(p.amountDue.toString())
                            Text(stringResource(R.string.pay_before, p.payBeforeText))
                            for (ch in p.channels) {
                                Text(ch.name, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                                Text(ch.how)
                            }
                        }
                        Text(stringResource(R.string.data_age, payAge))
                    }
                }
            }
        }
    }
}

/** Copies [value] (a KPJ number, a payment code, an amount) for a banking app or a message. */
@Composable
private fun CopyButton(value: String) {
    val clipboard = LocalClipboardManager.current
    TextButton(onClick = { clipboard.setText(AnnotatedString(value)) }) {
        Text(stringResource(R.string.copy_value, value))
    }
}
