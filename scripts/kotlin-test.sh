#!/usr/bin/env bash
# Builds the core as a host cdylib (debug, unstripped: uniffi reads its metadata),
# generates the Kotlin bindings with the workspace's uniffi-bindgen (library mode),
# and runs the Kotlin facade's JUnit 5 tests on the JVM (Maven) against it and
# against the reference server, which the tests start on loopback.
#   scripts/kotlin-test.sh          # tests
#   scripts/kotlin-test.sh --bench  # only the call-cost benchmark (JUnit tag "bench")
# Needs: cargo, a JDK (17+), mvn. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
module="$root/android/facade-jvm"
generated="$module/target/generated-sources/uniffi"

cargo build --quiet -p rantau-ffi -p uniffi-bindgen -p rantau-server

case "$(uname -s)" in
  Darwin) lib="$target/debug/librantau_ffi.dylib" ;;
  *) lib="$target/debug/librantau_ffi.so" ;;
esac

rm -rf "$generated"
mkdir -p "$generated"
"$target/debug/uniffi-bindgen" generate --library "$lib" --language kotlin --out-dir "$generated" --no-format

mvn_args=(-q -B -f "$module/pom.xml" "-Drantau.lib.dir=$target/debug" "-Drantau.server.bin=$target/debug/rantau-server")
if [[ "${1:-}" == "--bench" ]]; then
  mvn_args+=(-Dgroups=bench -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false)
fi
mvn "${mvn_args[@]}" test
