//! Sync benchmark (placeholder while the server lands).
fn main() {}
