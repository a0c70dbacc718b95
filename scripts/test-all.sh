#!/usr/bin/env bash
# Runs every test of Rantau: lints, Rust unit/property/end-to-end tests, the Kotlin
# tests on the JVM, a type check of the app's screens, the library size budget, and
# a short fuzz smoke run. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step prints the seconds since the start, so slow steps show in CI's log.
step() { printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"; }

step "toolchain"
cargo --version
rustup component add clippy rustfmt >/dev/null 2>&1 || true
# The Kotlin tests need a JDK and Maven (Maven fetches Kotlin, JNA, coroutines, JUnit itself).
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >/dev/null
fi
java -version 2>&1 | head -1

step "format"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Every random test runs from a seed fixed in the repository (.cargo/config.toml,
# tests/tests/crash.rs, scripts/fuzz-ci.sh): the same commit gets the same verdict.
# Fresh seeds are scripts/explore.sh's job, not the gate's.
step "tests"
cargo test --workspace --locked

step "benchmarks, once each in test mode (a broken benchmark fails here)"
cargo test --workspace --locked --bench '*'

step "Kotlin facade on the JVM, against the real core library and a loopback server"
bash scripts/kotlin-test.sh

step "Android app: strings in both languages, the Compose screens type-checked on the JVM"
bash scripts/app-check.sh

step "size: the release library against its 6 MiB budget"
bash scripts/size-check.sh

step "supply chain: cargo-deny (licenses, bans, sources; advisories when a local copy is given)"
bash scripts/deny.sh

step "fuzzing: every cargo-fuzz target from its seed corpus, fixed seed and runs"
bash scripts/fuzz-ci.sh

echo
echo "all tests passed in ${SECONDS}s"
