package id.rantau

/**
 * The rules for a profile's wrapped key as the app stores it (`"<iv>:<ciphertext>"`,
 * both Base64, in private preferences), free of `android.*` so they are tested on the
 * JVM. The Keystore work itself stays in the app (`ProfileKey`).
 *
 * What they guarantee: a stored value that cannot be read is "key unavailable", never
 * a crash; a key is only ever created for a profile whose database does not exist, so
 * a background sync can never replace the key of an existing profile (which would lock
 * its data away for good).
 */
object StoredKey {
    /** The AES-GCM nonce length the Android Keystore uses. */
    const val IV_BYTES = 12

    /** What to do about profile's key. */
    sealed interface Plan {
        /** Unwrap this stored key with the Keystore. */
        class Unwrap(val iv: ByteArray, val wrapped: ByteArray) : Plan

        /** No key and no database: make a key, store it (synchronously), then create the database. */
        data object Create : Plan

        /** The key cannot be had: show "key unavailable", keep the files. [reason] is for logs. */
        data class Unavailable(val reason: String) : Plan
    }

    /**
     * The plan for a profile whose preferences hold [stored] (null: nothing) and whose
     * database file exists or not ([databaseExists]). [decode] is Base64 decoding
     * (Android's `Base64.decode(s, NO_WRAP)` on the phone); it may throw
     * `IllegalArgumentException` on bad input.
     */
    fun plan(stored: String?, databaseExists: Boolean, decode: (String) -> ByteArray): Plan {
        if (stored == null) {
            return if (databaseExists) Plan.Unavailable("no stored key for an existing profile") else Plan.Create
        }
        val parts = stored.split(':')
        if (parts.size != 2 || parts.any { it.isEmpty() }) return Plan.Unavailable("malformed stored key")
        val (iv, wrapped) = try {
            decode(parts[0]) to decode(parts[1])
        } catch (e: IllegalArgumentException) {
            return Plan.Unavailable("stored key is not Base64")
        }
        // A 32-byte key wrapped with GCM is 32 bytes of ciphertext and a 16-byte tag.
        if (iv.size != IV_BYTES || wrapped.size != 32 + 16) return Plan.Unavailable("stored key has the wrong size")
        return Plan.Unwrap(iv, wrapped)
    }

    /** The stored form of a wrapped key; [encode] is Base64 encoding without line breaks. */
    fun format(iv: ByteArray, wrapped: ByteArray, encode: (ByteArray) -> String): String =
        encode(iv) + ":" + encode(wrapped)
}
