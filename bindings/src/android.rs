//! Android only: the JNI entry point that hands the app's context to
//! rustls-platform-verifier, so that reqwest checks the server's certificate with
//! Android's own trust manager (the phone's CA store, its updates and distrusts).
//! Without it the first HTTPS handshake on a phone fails inside the verifier.
//!
//! JNI, not uniffi: the verifier needs a `JNIEnv` and a `Context`, which JNA calls
//! cannot carry. The app calls `id.rantau.app.NativeTls.init(context)` once, from
//! `Application.onCreate`, before any sync. Compiled for Android, and for host tests
//! so that this signature is type-checked where there is no NDK.

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};
use jni::{Env, EnvUnowned};

/// `external fun init(context: Context)` of the Kotlin object `id.rantau.app.NativeTls`
/// (a `@JvmStatic` member, hence the class argument). Calling it again is harmless:
/// the verifier keeps the first context. A JNI failure becomes a Java
/// `RuntimeException` in the caller and a panic is caught there too (jni's
/// `with_env`): nothing unwinds into the JVM.
#[no_mangle]
pub extern "system" fn Java_id_rantau_app_NativeTls_init<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    context: JObject<'local>,
) {
    env.with_env(|env| init_verifier(env, context))
        .resolve::<ThrowRuntimeExAndDefault>();
}

/// Keeps a global reference to the application context (and its class loader, which
/// finds the verifier's Kotlin class `org.rustls.platformverifier.CertificateVerifier`).
#[cfg(target_os = "android")]
fn init_verifier(env: &mut Env<'_>, context: JObject<'_>) -> Result<(), jni::errors::Error> {
    rustls_platform_verifier::android::init_with_env(env, context)
}

/// On the host the platform verifier needs no initialisation: only the signature
/// above is checked here.
#[cfg(not(target_os = "android"))]
fn init_verifier(_env: &mut Env<'_>, _context: JObject<'_>) -> Result<(), jni::errors::Error> {
    Ok(())
}
