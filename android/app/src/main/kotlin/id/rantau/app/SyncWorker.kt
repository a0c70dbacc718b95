package id.rantau.app

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import id.rantau.Rantau
import id.rantau.ffi.RantauException
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import java.util.concurrent.TimeUnit

/** One sync in the background; WorkManager cancellation cancels the coroutine, hence the Rust sync. */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val name = inputData.getString("profile") ?: return Result.failure()
        // Only the stored key: a worker never creates one (a new key could not open the
        // existing profile). No usable key: nothing to sync until the app sorts it out.
        val key = try {
            ProfileKey.existing(applicationContext, name)
        } catch (e: KeyUnavailableException) {
            return Result.failure()
        } catch (e: GeneralSecurityException) {
            return Result.retry()
        } catch (e: IOException) {
            return Result.retry()
        }
        return try {
            // Never asks for the profile's PIN: the PIN is an app-level lock on the screens
            // (core: app/profile/pin.rs); syncing and scheduling reminders are not behind it,
            // and this worker shows nothing of the profile.
            Rantau.withKey(File(applicationContext.filesDir, "profiles"), name, key, create = false).use {
                // The core checks the network against the worker's settings and records
                // why it waits; the screens show that state (the core shares it).
                val status = it.sync(BuildConfigUrl.SERVER, Networks.current(applicationContext))
                // What the sync brought (a payment code, a payment recorded) changes the reminders.
                Reminders.schedule(applicationContext, it.reminders())
                if (status.workLeft) Result.retry() else Result.success()
            }
        } catch (e: RantauException.Network) {
            Result.retry()
        }
    }

    companion object {
        /**
         * Any connection: the Wi-Fi-only and roaming settings are the core's to apply,
         * so that a held-back sync is shown with its reason instead of never running.
         */
        private val constraints = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

        fun schedulePeriodic(context: Context, profile: String) {
            val req = PeriodicWorkRequestBuilder<SyncWorker>(6, TimeUnit.HOURS)
                .setConstraints(constraints)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .setInputData(androidx.work.workDataOf("profile" to profile))
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork("sync-$profile", ExistingPeriodicWorkPolicy.UPDATE, req)
        }

        /** After finalize: as soon as the network allows. */
        fun syncNow(context: Context, profile: String) {
            val req = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(constraints)
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .setInputData(androidx.work.workDataOf("profile" to profile))
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork("sync-now-$profile", ExistingWorkPolicy.REPLACE, req)
        }
    }
}

/** The agency's server (a build setting in a real release). */
object BuildConfigUrl {
    const val SERVER = "https://api.rantau.example"
}
