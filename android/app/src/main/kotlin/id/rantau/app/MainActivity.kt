package id.rantau.app

import android.os.Bundle
import androidx.activity.compose.setContent
import androidx.appcompat.app.AppCompatActivity
import androidx.appcompat.app.AppCompatDelegate
import androidx.core.os.LocaleListCompat
import id.rantau.app.ui.Foreground
import id.rantau.app.ui.RantauApp
import id.rantau.core.Lang

/**
 * The only activity. Everything it shows comes from the core through the facade
 * (`id.rantau.Rantau`, `id.rantau.FormSession`); the activity only hosts Compose,
 * applies the chosen language and starts the periodic sync.
 */
class MainActivity : AppCompatActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val settings = Settings(applicationContext)
        applyLanguage(settings.language)
        setContent { RantauApp(settings = settings, onLanguage = ::applyLanguage) }
    }

    override fun onStart() {
        super.onStart()
        Foreground.started()
    }

    override fun onStop() {
        super.onStop()
        Foreground.stopped()
    }

    /** Android strings follow the app locale; the core's messages follow `Rantau.setLanguage`. */
    private fun applyLanguage(lang: Lang) {
        val tag = if (lang == Lang.EN) "en" else "in"
        AppCompatDelegate.setApplicationLocales(LocaleListCompat.forLanguageTags(tag))
    }
}
