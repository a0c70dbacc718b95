//! The generator runs on the library as the workspace builds it and writes the
//! Kotlin the app compiles against: the bindings' objects in `id.rantau.ffi`, the
//! core's records in `id.rantau.core`. (Being a test also makes `cargo test
//! --workspace` build this binary with the workspace's features, so the Kotlin step
//! of the gate compiles nothing again.)

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn generates_the_kotlin_bindings_from_the_debug_library() {
    let bin = Path::new(env!("CARGO_BIN_EXE_uniffi-bindgen"));
    // rantau-ffi is a dev-dependency: cargo built its cdylib into deps/ beside this binary.
    let name = if cfg!(target_os = "macos") {
        "librantau_ffi.dylib"
    } else {
        "librantau_ffi.so"
    };
    let lib = bin.parent().unwrap().join("deps").join(name);
    assert!(lib.exists(), "{} is missing", lib.display());
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(bin)
        .args(["generate", "--library"])
        .arg(&lib)
        .args(["--language", "kotlin", "--no-format", "--out-dir"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let read = |p: &str| std::fs::read_to_string(out.path().join(p)).unwrap();
    let ffi = read("id/rantau/ffi/rantau.kt");
    for object in [
        "class RantauProfile",
        "class RantauDraft",
        "RantauException",
    ] {
        assert!(ffi.contains(object), "{object}");
    }
    let core = read("id/rantau/core/rantau_core.kt");
    for record in [
        "data class FormScreen",
        "data class SyncStatus",
        "enum class Bucket",
    ] {
        assert!(core.contains(record), "{record}");
    }
}
