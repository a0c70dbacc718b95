// Signature stub (see android/content/Context.kt).
package android.net

abstract class Uri {
    companion object {
        @JvmStatic
        fun parse(uriString: String): Uri = throw UnsupportedOperationException("stub")
    }
}
