// Signature stubs of the Android framework classes the screens touch: enough for
// the compiler to check the screens' Kotlin on the JVM. Never run, never shipped.
package android.content

abstract class Context {
    abstract fun startActivity(intent: Intent)
    abstract val filesDir: java.io.File // getFilesDir() in Java
    abstract fun getSharedPreferences(name: String, mode: Int): SharedPreferences

    companion object {
        const val MODE_PRIVATE: Int = 0
    }
}

class Intent(val action: String, val data: android.net.Uri?) {
    constructor(action: String) : this(action, null)

    fun putExtra(name: String, value: String): Intent = this
    fun setType(type: String): Intent = this

    companion object {
        const val ACTION_DIAL: String = "android.intent.action.DIAL"
        const val ACTION_VIEW: String = "android.intent.action.VIEW"
        const val ACTION_SEND: String = "android.intent.action.SEND"
        const val EXTRA_TEXT: String = "android.intent.extra.TEXT"

        fun createChooser(target: Intent, title: CharSequence?): Intent = target
    }
}

interface SharedPreferences {
    fun getString(key: String, defValue: String?): String?
    fun getBoolean(key: String, defValue: Boolean): Boolean
    fun edit(): Editor

    interface Editor {
        fun putString(key: String, value: String?): Editor
        fun putBoolean(key: String, value: Boolean): Editor
        fun apply()
    }
}
