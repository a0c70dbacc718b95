// The Kotlin facade (id.rantau) as an Android library: the SAME sources the JVM tests
// compile (src/main/kotlin), the uniffi bindings generated from the host library, and
// librantau_ffi.so cross-compiled per ABI with cargo-ndk.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val repoRoot = rootDir.parentFile
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi")
val jniLibsOut = layout.buildDirectory.dir("generated/jniLibs")

android {
    namespace = "id.rantau.facade"
    compileSdk = 35
    defaultConfig { minSdk = 24 }
    sourceSets["main"].kotlin.srcDir(generatedKotlin)
    sourceSets["main"].jniLibs.srcDir(jniLibsOut)
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

// Release build of the core for every ABI (needs `cargo install cargo-ndk` and the NDK).
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk", "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", jniLibsOut.get().asFile.path, "build", "-p", "rantau-ffi", "--release",
    )
}

// Kotlin bindings from the host debug build (unstripped: the metadata is read from it).
val uniffiBindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    val lib = File(repoRoot, "target/debug/librantau_ffi.so")
    commandLine(
        "sh", "-c",
        "cargo build -p rantau-ffi -p uniffi-bindgen && target/debug/uniffi-bindgen generate " +
            "--library ${lib.path} --language kotlin --out-dir ${generatedKotlin.get().asFile.path}",
    )
}

tasks.named("preBuild") { dependsOn(cargoNdk, uniffiBindings) }

dependencies {
    implementation(libs.kotlinx.coroutines.android)
    implementation("${libs.jna.get()}@aar")
}
