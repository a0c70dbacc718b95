#!/usr/bin/env bash
# Runs every test of Rantau: lints, Rust unit/property/end-to-end tests, and a
# short fuzz smoke run. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
cargo --version
rustup component add clippy rustfmt >/dev/null 2>&1 || true

step "format"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
cargo test --workspace --locked


echo
echo "all tests passed"
