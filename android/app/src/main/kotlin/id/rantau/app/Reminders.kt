package id.rantau.app

import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.Worker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import id.rantau.core.Reminder
import java.time.Duration
import java.time.LocalDate
import java.time.ZoneId
import java.time.ZonedDateTime
import java.util.concurrent.TimeUnit

/**
 * Schedules the reminders the core computes (`Rantau.reminders()`: the payment deadline,
 * JHT monthly) as local notifications at 09:00 of the phone's own time zone. Each goes
 * under its id as unique work, so scheduling the whole list again after every sync
 * replaces what was scheduled before and nothing comes twice.
 */
object Reminders {
    private const val CHANNEL = "reminders"
    private const val HOUR = 9

    /** The runtime permission notifications need from Android 13 on. */
    const val PERMISSION = "android.permission.POST_NOTIFICATIONS"

    /**
     * True once, when there is something to remind of and Android 13+ has not granted
     * [PERMISSION]: the home screen asks then, in context, and never nags again (the
     * worker can still allow it in the system's settings).
     */
    fun shouldAsk(context: Context, hasReminders: Boolean): Boolean {
        if (!hasReminders || Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU) return false
        if (ContextCompat.checkSelfPermission(context, PERMISSION) == PackageManager.PERMISSION_GRANTED) return false
        val prefs = context.getSharedPreferences("rantau-notifications", Context.MODE_PRIVATE)
        if (prefs.getBoolean("asked", false)) return false
        prefs.edit().putBoolean("asked", true).apply()
        return true
    }

    /** Schedules [reminders] (the whole list, after a sync). */
    fun schedule(context: Context, reminders: List<Reminder>) {
        val work = WorkManager.getInstance(context)
        val now = ZonedDateTime.now()
        for (r in reminders) {
            val at = LocalDate.parse(r.on).atTime(HOUR, 0).atZone(ZoneId.systemDefault())
            val delay = Duration.between(now, at).toMillis().coerceAtLeast(0)
            val req = OneTimeWorkRequestBuilder<ReminderWorker>()
                .setInitialDelay(delay, TimeUnit.MILLISECONDS)
                .setInputData(workDataOf("id" to r.id, "title" to r.title, "text" to r.text))
                .build()
            work.enqueueUniqueWork("reminder-${r.id}", ExistingWorkPolicy.REPLACE, req)
        }
    }

    /** Posts one reminder; its text stays off the lock screen (a phone may be shared). */
    internal fun post(context: Context, id: String, title: String, text: String) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            val channel = NotificationChannel(CHANNEL, context.getString(R.string.reminders_channel), NotificationManager.IMPORTANCE_DEFAULT)
            context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
        }
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.ic_popup_reminder)
            .setContentTitle(title)
            .setContentText(text)
            .setStyle(NotificationCompat.BigTextStyle().bigText(text))
            .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
            .setAutoCancel(true)
            .build()
        // Without the notification permission (Android 13+, refused) it is dropped.
        runCatching { NotificationManagerCompat.from(context).notify(id.hashCode(), notification) }
    }
}

/** Shows one reminder when its time comes. */
class ReminderWorker(context: Context, params: WorkerParameters) : Worker(context, params) {
    override fun doWork(): Result {
        val id = inputData.getString("id") ?: return Result.failure()
        Reminders.post(applicationContext, id, inputData.getString("title").orEmpty(), inputData.getString("text").orEmpty())
        return Result.success()
    }
}
