#!/usr/bin/env bash
# Property-based API testing of a real rantau-server against its own OpenAPI document
# (schemathesis, from PyPI): every documented operation gets generated requests, valid
# and invalid, and fails the run on any 5xx, on a status the document does not list,
# or on an answer that does not match its schema.
#
#   scripts/schemathesis.sh --install-only   only make the venv (the gate runs this
#                                            early, in the background)
#   scripts/schemathesis.sh sqlite           a server on a SQLite file
#   scripts/schemathesis.sh postgres         a server on RANTAU_TEST_POSTGRES's cluster
#                                            (a scratch database of its own)
#
# Bounded and reproducible: a fixed seed and a fixed number of examples per operation
# (SCHEMATHESIS_EXAMPLES, default 40), one worker. The venv
# lives in SCHEMATHESIS_VENV (default ~/.cache/rantau/schemathesis-VERSION), made once.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
SEED=1414
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-40}
VENV=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/rantau/schemathesis-$VERSION}
ADMIN_TOKEN=schemathesis-admin-token-of-the-ci-gate-0001

die() { echo "schemathesis.sh: $*" >&2; exit 1; }

install() {
  if [ -x "$VENV/bin/schemathesis" ] && "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    return 0
  fi
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  if ! nice -n 19 python3 -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv (ensurepip) out of python3; root installs it like the gate's JDK.
    [ "$(id -u)" -eq 0 ] || die "python3 -m venv failed: install python3-venv"
    rm -rf "$VENV"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    nice -n 19 python3 -m venv "$VENV"
  fi
  nice -n 19 "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
}

[ $# -eq 1 ] || die "usage: $0 --install-only|sqlite|postgres"
backend=$1
install
[ "$backend" = "--install-only" ] && exit 0

work=$(mktemp -d /tmp/rantau-schemathesis.XXXXXX)
server_pid=""
scratch_db=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$scratch_db" ]; then
    "$PG_BIN/dropdb" --if-exists --maintenance-db="$RANTAU_TEST_POSTGRES" "$scratch_db" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port (bash's /dev/tcp connects, or fails when it is free).
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || die "no free port found"

args=(serve --addr "127.0.0.1:$port")
case "$backend" in
  sqlite)
    args+=(--db "$work/rantau.db")
    ;;
  postgres)
    [ -n "${RANTAU_TEST_POSTGRES:-}" ] || die "RANTAU_TEST_POSTGRES is not set (scripts/pg.sh start DIR prints it)"
    # scripts/pg.sh's PostgreSQL 15.
    PG_BIN=/usr/lib/postgresql/15/bin
    [ -x "$PG_BIN/createdb" ] || die "$PG_BIN/createdb not found"
    # A database of its own, so the run neither sees nor leaves rows in the tests' one.
    scratch_db="schemathesis_$$"
    "$PG_BIN/createdb" --maintenance-db="$RANTAU_TEST_POSTGRES" "$scratch_db"
    args+=(--database "${RANTAU_TEST_POSTGRES%/*}/$scratch_db" --files "$work/files")
    ;;
  *) die "unknown backend $backend (sqlite or postgres)" ;;
esac

# --workspace: the feature set of the gate's test build, so its binary is reused
# (with -p rantau-server the server would be rebuilt).
nice -n 19 cargo build --quiet --locked --workspace --bin rantau-server
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/rantau-server"
RANTAU_ADMIN_TOKEN=$ADMIN_TOKEN "$bin" "${args[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "the server did not start"; }
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || die "the server is not answering"

# A device of its own, so the authenticated routes are exercised past their token check.
token=$(curl -fsS -X POST "$base/v1/devices" -H 'content-type: application/json' \
  -d '{"device_id":"schemathesis","label":"schemathesis"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
# Runs schemathesis with bearer $1 on the operations whose path matches $2.
# From $work: schemathesis keeps a .schemathesis/ cache in its working directory.
run() {
  (cd "$work" && "$VENV/bin/schemathesis" run "$base/v1/openapi.json" \
    --checks "$checks" \
    --seed "$SEED" \
    --max-examples "$EXAMPLES" --workers 1 \
    --phases examples,coverage,fuzzing \
    --suppress-health-check all \
    --include-path-regex "$2" \
    -H "Authorization: Bearer $1" \
    --no-color) | tee -a "$work/run.log"
}
start=$SECONDS
status=0
# Device token on the device, catalog and operator routes; the admin token on the
# officers' routes (with the device token they are only 401s).
set +e
set -o pipefail
run "$token" '^/(v1/(devices|submissions|changes|forms|reference|openapi|attachments|link)|healthz|readyz|metrics)' || status=$?
run "$ADMIN_TOKEN" '^/v1/admin/' || status=$?
set -e
# Each test case is one request; schemathesis prints "N generated" per run.
cases=$(grep -o '[0-9]* generated' "$work/run.log" | awk '{n += $1} END {print n + 0}')
echo "schemathesis ($backend): $cases test cases (requests) in $((SECONDS - start))s"
if grep -q 'panicked\|internal error' "$work/server.log"; then
  grep 'panicked\|internal error' "$work/server.log" | head -20 >&2
  die "the server logged internal errors"
fi
[ "$status" -eq 0 ] || die "schemathesis found failures ($backend)"
