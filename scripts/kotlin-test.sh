#!/usr/bin/env bash
# Builds the core as a host cdylib (debug, unstripped: uniffi reads its metadata),
# generates the Kotlin bindings with the workspace's uniffi-bindgen (library mode),
# and runs the Kotlin facade's JUnit 5 tests on the JVM (Maven) against it and
# against the reference server, which the tests start on loopback.
#   scripts/kotlin-test.sh          # tests
#   scripts/kotlin-test.sh --bench  # only the call-cost benchmark, measured (JUnit tag "bench",
#                                   # release library); the tests run it once in test mode
# Needs: cargo, a JDK (17+), mvn. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
module="$root/android/facade-jvm"
generated="$module/target/generated-sources/uniffi"

cargo build --quiet -p rantau-ffi -p uniffi-bindgen -p rantau-server
# HTTPS in front of the server for the TLS tests (a test CA; tests/src/bin/tls_proxy.rs).
cargo build --quiet -p rantau-tests --bin tls_proxy

case "$(uname -s)" in
  Darwin) lib="$target/debug/librantau_ffi.dylib" ;;
  *) lib="$target/debug/librantau_ffi.so" ;;
esac

rm -rf "$generated"
mkdir -p "$generated"
"$target/debug/uniffi-bindgen" generate --library "$lib" --language kotlin --out-dir "$generated" --no-format

libdir="$target/debug"
bench=()
if [[ "${1:-}" == "--bench" ]]; then
  # Call costs are measured on the release library (same API, so the same bindings).
  cargo build --quiet -p rantau-ffi --release
  libdir="$target/release"
  bench=(-Dgroups=bench -Drantau.bench.full=true -Dsurefire.failIfNoSpecifiedTests=false)
fi
mvn_args=(-B --no-transfer-progress -f "$module/pom.xml" "-Drantau.lib.dir=$libdir" "-Drantau.server.bin=$target/debug/rantau-server"
  "-Drantau.tls.proxy.bin=$target/debug/tls_proxy" "${bench[@]}")
mvn "${mvn_args[@]}" test
