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

# The library, the generator, the server and the TLS proxy (a test CA in front of the
# server; tests/src/bin/tls_proxy.rs) as the workspace's tests build them: with the
# same features, so after `cargo test --workspace` (the gate's step before this one)
# nothing is compiled again. (`cargo build -p …` would resolve other features and
# rebuild the core, the server and their dependencies: ~400 s on 2 cores.) Cargo
# names the files it built; the library stays in deps/ in a test build.
artifacts="$(cargo test --workspace --locked --no-run --message-format=json-render-diagnostics)"
case "$(uname -s)" in
  Darwin) ext=dylib ;;
  *) ext=so ;;
esac
lib="$(grep -o "\"[^\"]*/librantau_ffi\.$ext\"" <<<"$artifacts" | head -1 | tr -d '"')"
bindgen="$(grep -o '"executable":"[^"]*/uniffi-bindgen"' <<<"$artifacts" | head -1 | sed 's/"executable":"\(.*\)"/\1/')"
if [[ -z "$lib" || -z "$bindgen" ]]; then
  echo "kotlin-test: cargo did not name the library ($lib) or uniffi-bindgen ($bindgen)" >&2
  exit 1
fi

rm -rf "$generated"
mkdir -p "$generated"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$generated" --no-format

libdir="$(dirname "$lib")"
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
