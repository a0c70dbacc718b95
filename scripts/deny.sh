#!/usr/bin/env bash
# Supply chain, with cargo-deny and deny.toml: licenses (permissive only), bans (no
# OpenSSL, native-tls or aws-lc; no new duplicate versions), sources (crates.io only).
# Advisories (RustSec) too when a local copy of the advisory database is given, since
# this check never goes to the network for it:
#
#   bash scripts/deny.sh                                   # licenses, bans, sources
#   RANTAU_ADVISORY_DBS=/path/to/advisory-dbs bash scripts/deny.sh   # + advisories
#
# RANTAU_ADVISORY_DBS is the folder `cargo deny fetch` fills on a machine with network
# ($CARGO_HOME/advisory-dbs), or one holding a git clone of
# https://github.com/rustsec/advisory-db named advisory-db-3157b0e258782691 (cargo-deny's
# name for that URL); refresh it at least every 90 days (an older copy fails as stale). Installs cargo-deny at a
# pinned version if missing. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qF "$CARGO_DENY_VERSION"; then
  echo "installing cargo-deny $CARGO_DENY_VERSION"
  # A debug build of the tool: it checks this small workspace in seconds either way,
  # and an optimised build of its ~300 crates costs CI minutes of its 2 cores.
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --debug
fi
cargo deny --version
# `--install-only`: the gate installs it in the background while other steps run.
if [[ "${1:-}" == "--install-only" ]]; then exit 0; fi

# Every crate of Cargo.lock (all targets) must be on disk for the offline graph.
cargo fetch --locked --quiet

checks=(licenses bans sources)
config=deny.toml
if [[ -n "${RANTAU_ADVISORY_DBS:-}" ]]; then
  if [[ ! -d "$RANTAU_ADVISORY_DBS" ]]; then
    echo "RANTAU_ADVISORY_DBS=$RANTAU_ADVISORY_DBS is not a folder" >&2
    exit 1
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The same rules, reading the advisory database from the given copy.
  awk -v db="$RANTAU_ADVISORY_DBS" '{ print } $0 == "[advisories]" { printf "db-path = \"%s\"\n", db }' \
    deny.toml >"$work/deny.toml"
  config="$work/deny.toml"
  checks+=(advisories)
else
  echo "advisories: skipped (set RANTAU_ADVISORY_DBS to a local copy of the RustSec database)"
fi
cargo deny --offline --locked --config "$config" check "${checks[@]}"
