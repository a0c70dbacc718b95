// Android-only part of androidx.compose.ui (see android/content/Context.kt).
package androidx.compose.ui.res

import androidx.compose.runtime.Composable

@Composable
fun stringResource(id: Int): String = throw UnsupportedOperationException("stub")

@Composable
fun stringResource(id: Int, vararg formatArgs: Any): String = throw UnsupportedOperationException("stub")
