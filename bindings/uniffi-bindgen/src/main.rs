//! `uniffi-bindgen`: generates the Kotlin bindings of `rantau-ffi` in library mode.
//! A separate crate so the `cli` feature never weighs on the library's build.

fn main() {
    uniffi::uniffi_bindgen_main()
}
