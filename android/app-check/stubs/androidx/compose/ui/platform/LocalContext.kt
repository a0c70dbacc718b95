// Android-only part of androidx.compose.ui (see android/content/Context.kt).
package androidx.compose.ui.platform

import android.content.Context
import androidx.compose.runtime.staticCompositionLocalOf

val LocalContext = staticCompositionLocalOf<Context> { throw UnsupportedOperationException("stub") }
