#!/usr/bin/env bash
# Runs every test of Rantau: format and clippy lints, Rust unit/property/end-to-end
# tests (the server's on SQLite and on a throwaway PostgreSQL), schemathesis against
# a real server on both backends, the Kotlin tests on
# the JVM, a type check of the app's screens, the library size budget, and a short
# fuzz smoke run. Installs what it needs on a fresh machine.
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

# Work that is mostly waiting (downloads) or that can use a core the foreground leaves
# idle (linking, test runs, the JVM steps) starts now, in the background, at the lowest
# CPU priority: installing cargo-deny and cargo-fuzz, building the fuzz targets and the
# release library of the size check (in its own target dir, so no build lock is
# shared), and fetching the Maven artifacts. Each later step waits for what it needs;
# a background failure fails the gate with its log. This keeps a fresh machine within
# CI's 35 minutes on 2 cores: the same work, with fewer idle cores.
bg=$(mktemp -d)
# On any exit, the background jobs and everything they started (cargo, rustc, mvn) stop.
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
# The throwaway PostgreSQL cluster of the storage tests (scripts/pg.sh), stopped and
# removed on any exit, failures included.
pg_dir=$(mktemp -d /tmp/rantau-pg.XXXXXX)
# The S3 server's folder (s3s-fs, started before the tests), removed on any exit.
s3_dir=$(mktemp -d /tmp/rantau-s3.XXXXXX)
s3_pid=
# The SMTP server of the link tests (aiosmtpd, scripts/smtp.sh): its Maildir and pid.
smtp_dir=$(mktemp -d /tmp/rantau-smtp.XXXXXX)
cleanup() {
  local pid
  for pid in $(jobs -p); do kill_tree "$pid"; done
  if [[ -n "$s3_pid" ]]; then kill "$s3_pid" 2>/dev/null || true; fi
  bash scripts/smtp.sh stop "$smtp_dir" >/dev/null 2>&1 || true
  bash scripts/pg.sh stop "$pg_dir" >/dev/null 2>&1 || rmdir "$pg_dir" 2>/dev/null || true
  rm -rf "$bg" "$s3_dir" "$smtp_dir"
}
trap cleanup EXIT
size_target="${CARGO_TARGET_DIR:-$PWD/target}/size-check"
# The S3 server of the object-storage tests (server/tests/s3.rs): s3s-fs, pinned (0.15
# and later need a newer Rust), a debug build (~25 crates fewer to optimise; it only
# stores a few test files). Installed before the deny and fuzz builds: the test step
# waits for it.
S3S_FS_VERSION=0.14.0
(
  set -e
  if ! s3s-fs --version 2>/dev/null | grep -qF "$S3S_FS_VERSION"; then
    nice -n 19 cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --debug --features binary
  fi
) >"$bg/s3s.log" 2>&1 &
s3s=$!
(
  set -e
  nice -n 19 bash scripts/deny.sh --install-only
  FUZZ_BUILD_ONLY=1 nice -n 19 bash scripts/fuzz-ci.sh
) >"$bg/builds.log" 2>&1 &
builds=$!
# Beside the installs, not after them: behind them it started only once the
# foreground's test build was over, and the size step waited for it.
(
  CARGO_TARGET_DIR="$size_target" nice -n 19 cargo build --quiet --locked -p rantau-ffi --release
) >"$bg/release.log" 2>&1 &
release=$!
# PostgreSQL for the server's storage tests: installed when missing (apt-get, mostly
# waiting on downloads) and started now, in the background; the test step waits for
# it. Not niced: the server it starts would inherit the lowest priority and answer
# the tests slowly beside the build.
(
  bash scripts/pg.sh start "$pg_dir" >"$bg/pg.url"
) >"$bg/postgres.log" 2>&1 &
postgres=$!
(
  for pom in android/facade-jvm/pom.xml android/app-check/pom.xml; do
    # Best effort: a miss here is fetched again by the step itself.
    nice -n 19 mvn -B -q --no-transfer-progress -f "$pom" dependency:go-offline || true
  done
) >"$bg/maven.log" 2>&1 &
maven=$!
# The venv of the schemathesis step (pip, mostly waiting on downloads; made once and
# kept in ~/.cache).
(
  nice -n 19 bash scripts/schemathesis.sh --install-only
) >"$bg/schemathesis.log" 2>&1 &
schemathesis=$!
# The venv of the link tests' SMTP server (aiosmtpd; made once, kept in ~/.cache).
(
  nice -n 19 bash scripts/smtp.sh --install-only
) >"$bg/smtp.log" 2>&1 &
smtp=$!
# Waits for background job $1 (named $2); on failure prints its log and fails.
await() {
  if ! wait "$1"; then
    echo "background $2 failed:" >&2
    cat "$bg/$2.log" >&2
    exit 1
  fi
}

step "format"
cargo fmt --all -- --check

# Clippy lints the workspace while the test build compiles it: clippy-driver is rustc
# plus the lints (`cargo clippy` is this same wrapper on `cargo check`), so a lint
# fails the build with its file and line, as `cargo clippy --workspace --all-targets
# -- -D warnings` would, without a second, check-only build of every crate (~6 minutes
# of CI's 2 cores). The test build covers the libraries, binaries, unit and
# integration tests; the benchmark step covers the benchmarks. Every cargo command in
# the foreground runs with it, so the Kotlin step finds the test build as it is; the
# size and fuzz builds (their own target dirs) run without it, as in the background.
step "tests, with clippy's lints as errors in the same build"
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# Every random test runs from a seed fixed in the repository (.cargo/config.toml,
# tests/tests/crash.rs, scripts/fuzz-ci.sh): the same commit gets the same verdict.
# Fresh seeds are scripts/explore.sh's job, not the gate's.
# The server's storage contract tests run on SQLite and on PostgreSQL (each test in a
# database of its own in this cluster); then the end-to-end API, attachment and device
# tests run once more with their servers on PostgreSQL.
await "$postgres" postgres
RANTAU_TEST_POSTGRES=$(cat "$bg/pg.url")
export RANTAU_TEST_POSTGRES
# Built first, run once s3s-fs is there: the build never waits for its install.
cargo test --workspace --locked --no-run
# The documents-in-S3 tests (server/tests/s3.rs) run against s3s-fs on a loopback
# port of its choosing (read from its log), a bucket folder of its own; the URL
# carries the test credentials and the bucket.
await "$s3s" s3s
mkdir "$s3_dir/rantau"
RUST_LOG=info "$(command -v s3s-fs)" --host 127.0.0.1 --port 0 \
  --access-key rantau-ci --secret-key rantau-ci-secret "$s3_dir" >"$bg/s3s-server.log" 2>&1 &
s3_pid=$!
s3_url=
for _ in $(seq 200); do
  s3_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$bg/s3s-server.log" | head -1 || true)
  [[ -n "$s3_url" ]] && break
  sleep 0.1
done
if [[ -z "$s3_url" ]]; then echo "s3s-fs did not start:" >&2; cat "$bg/s3s-server.log" >&2; exit 1; fi
export RANTAU_TEST_S3="http://rantau-ci:rantau-ci-secret@${s3_url#http://}/rantau"
# The link tests (tests/tests/link_e2e.rs) mail their codes through a real SMTP
# server on loopback and read them from the Maildir it writes.
await "$smtp" smtp
RANTAU_TEST_SMTP=$(bash scripts/smtp.sh start "$smtp_dir")
RANTAU_TEST_SMTP_MAILDIR="$smtp_dir/maildir"
export RANTAU_TEST_SMTP RANTAU_TEST_SMTP_MAILDIR
cargo test --workspace --locked

step "the server's end-to-end API, probe/metrics and shutdown tests and the soak again, on PostgreSQL"
# --workspace, not -p rantau-server: the same feature set as the build above, so these
# test binaries are reused (with -p, the core and the server were rebuilt: 2 minutes).
RANTAU_TEST_SERVER_DB=postgres cargo test --workspace --locked --test api --test attachments --test devices --test ops --test shutdown --test abuse --test limits --test logs --test officer --test persons --test proxy_limits --test soak --test link_e2e
# The server fuzz harness's invariants (exactly once, answers replayed) on PostgreSQL:
# its seed corpus and its fixed-seed property test, only (a filter on the libraries' tests).
RANTAU_TEST_SERVER_DB=postgres cargo test --workspace --locked --lib fuzzing

step "schemathesis: generated requests against a real server and its OpenAPI document, on SQLite then PostgreSQL"
# No 5xx, no status or body the document does not list; fixed seed and examples.
await "$schemathesis" schemathesis
bash scripts/schemathesis.sh sqlite
bash scripts/schemathesis.sh postgres

step "benchmarks, once each in test mode (a broken benchmark fails here)"
cargo test --workspace --locked --bench '*'

step "Kotlin facade on the JVM, against the real core library and a loopback server"
await "$maven" maven
bash scripts/kotlin-test.sh

step "Android app: strings in both languages, the Compose screens type-checked on the JVM"
bash scripts/app-check.sh

step "size: the release library against its 6 MiB budget"
await "$release" release
CARGO_TARGET_DIR="$size_target" env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS bash scripts/size-check.sh

step "supply chain: cargo-deny (licenses, bans, sources; advisories when a local copy is given)"
await "$builds" builds
bash scripts/deny.sh

step "fuzzing: every cargo-fuzz target from its seed corpus, fixed seed and runs"
env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS bash scripts/fuzz-ci.sh

echo
echo "all tests passed in ${SECONDS}s"
