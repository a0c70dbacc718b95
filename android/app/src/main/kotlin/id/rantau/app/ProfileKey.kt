package id.rantau.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import id.rantau.StoredKey
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.KeyStore
import java.security.ProviderException
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** The profile's key cannot be had (a malformed stored value, a keystore that fails, no key for a database). */
class KeyUnavailableException(message: String, cause: Throwable? = null) : GeneralSecurityException(message, cause)

/**
 * The profile's 32-byte database key: generated once, stored only wrapped
 * (AES-GCM) by a non-exportable Android Keystore key, in preferences that backups
 * and device transfers leave out (res/xml/backup_rules.xml, data_extraction_rules.xml:
 * the Keystore key could not move with them anyway). The rules of what is stored
 * are `id.rantau.StoredKey` (tested on the JVM).
 */
object ProfileKey {
    private const val ALIAS = "rantau-profile-wrap"
    private const val PREFS = "rantau-keys"

    private fun wrappingKey(): SecretKey {
        val ks = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (ks.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        gen.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return gen.generateKey()
    }

    private val decode: (String) -> ByteArray = { Base64.decode(it, Base64.NO_WRAP) }

    /**
     * The raw key for profile [name] and whether its database must be created: the
     * stored key unwrapped, or, only when the profile has neither a key nor a database,
     * a new key — written synchronously (`commit`) before the caller creates the database,
     * so a kill in between can never leave a database whose key was not saved.
     * @throws KeyUnavailableException (a [GeneralSecurityException]) for a malformed
     *   stored key or a database without a key; other `GeneralSecurityException`s or an
     *   [IOException] when the keystore fails.
     */
    fun get(context: Context, name: String): Pair<ByteArray, Boolean> {
        val database = File(File(context.filesDir, "profiles"), "$name.db")
        val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
        return when (val plan = StoredKey.plan(prefs.getString(name, null), database.exists(), decode)) {
            is StoredKey.Plan.Unwrap -> unwrap(plan) to !database.exists()
            StoredKey.Plan.Create -> create(context, name) to true
            is StoredKey.Plan.Unavailable -> throw KeyUnavailableException(plan.reason)
        }
    }

    /**
     * The stored key of profile [name], for the background sync: never creates one
     * (a worker that made a new key for an existing profile would lock its data away).
     * @throws KeyUnavailableException when there is no usable stored key.
     */
    fun existing(context: Context, name: String): ByteArray {
        val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
        // "The database exists" for the plan: a missing key is never a reason to create one here.
        return when (val plan = StoredKey.plan(prefs.getString(name, null), true, decode)) {
            is StoredKey.Plan.Unwrap -> unwrap(plan)
            StoredKey.Plan.Create -> throw KeyUnavailableException("no stored key")
            is StoredKey.Plan.Unavailable -> throw KeyUnavailableException(plan.reason)
        }
    }

    private fun unwrap(plan: StoredKey.Plan.Unwrap): ByteArray {
        val raw = try {
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(128, plan.iv))
            c.doFinal(plan.wrapped)
        } catch (e: ProviderException) {
            // Some phones' keystores fail with this unchecked exception: not a crash either.
            throw KeyUnavailableException("keystore failed", e)
        }
        if (raw.size != 32) throw KeyUnavailableException("unwrapped key has ${raw.size} bytes")
        return raw
    }

    private fun create(context: Context, name: String): ByteArray {
        val raw = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, wrappingKey())
        val stored = StoredKey.format(c.iv, c.doFinal(raw)) { Base64.encodeToString(it, Base64.NO_WRAP) }
        val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
        // commit, not apply: the database is created right after this returns, and its
        // key must be on disk first.
        if (!prefs.edit().putString(name, stored).commit()) throw IOException("the profile key could not be saved")
        return raw
    }
}
