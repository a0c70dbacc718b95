// Signature stubs of androidx.activity (see android/content/Context.kt).
package androidx.activity.result.contract

import android.net.Uri

abstract class ActivityResultContract<I, O>

class ActivityResultContracts {
    class TakePicture : ActivityResultContract<Uri, Boolean>()
    class GetContent : ActivityResultContract<String, Uri?>()
    class CreateDocument(mimeType: String) : ActivityResultContract<String, Uri?>()
    class OpenDocument : ActivityResultContract<Array<String>, Uri?>()
    class RequestPermission : ActivityResultContract<String, Boolean>()
}
