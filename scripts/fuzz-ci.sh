#!/usr/bin/env bash
# Bounded fuzzing. Installs cargo-fuzz if missing, builds every target of fuzz/ once
# (stable toolchain, RUSTC_BOOTSTRAP=1), then runs each target from a temporary copy
# of its seed corpus, FUZZ_JOBS (default 2) at a time. Fails on any crash, leak,
# timeout or out-of-memory and prints the finding's bytes and the command that
# replays it; prints the executions per target. The repository stays clean: new
# inputs and artifacts go to a temp dir that is removed.
#
# Two modes:
# - the gate (default): a seed fixed here (FUZZ_SEED) and a fixed number of
#   executions per target (FUZZ_RUNS, else the table below), so the same commit
#   gets the same verdict on any machine, however fast;
# - exploration (FUZZ_SECONDS=N): N seconds per target from a fresh seed (printed),
#   as scripts/explore.sh runs it. What it finds becomes a fix plus a seed file in
#   fuzz/corpus/<target>/.
#
#   bash scripts/fuzz-ci.sh                       # the gate: every target, fixed seed and runs
#   FUZZ_SECONDS=300 bash scripts/fuzz-ci.sh nik  # explore one target for 5 minutes
#   FUZZ_BUILD_ONLY=1 bash scripts/fuzz-ci.sh     # install cargo-fuzz and build, run nothing
#                                                 # (the gate builds this way in the background)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
JOBS="${FUZZ_JOBS:-2}"
if [ -n "${FUZZ_SECONDS:-}" ]; then
  mode="explore"
  # libFuzzer reads -seed=0 as "pick one"; pick it here so it can be printed.
  SEED="${FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}"
else
  mode="gate"
  SEED="${FUZZ_SEED:-20261202}"
fi

# Executions per target in the gate: about 20 s each, two at a time, on this
# project's 2-core CI machine (measured speeds differ a hundredfold, from ~2,500/s
# for form_answers to ~300,000/s for nik). Changing one is a commit.
runs_for() {
  if [ -n "${FUZZ_RUNS:-}" ]; then echo "$FUZZ_RUNS"; return; fi
  case "$1" in
    form_answers) echo 50000 ;;
    server_bodies) echo 80000 ;;
    conditions) echo 300000 ;;
    form_definition) echo 400000 ;;
    wire_client) echo 1000000 ;;
    *) echo 2000000 ;;
  esac
}
# The nightly-only flags cargo-fuzz passes are accepted by stable with this.
export RUSTC_BOOTSTRAP=1
# No sanitizer: the code under test is safe Rust (unsafe_code is denied), so a
# finding is a panic, an abort, a hang or unbounded memory; ASan would only slow
# every execution down. Debug assertions on: integer overflow is a finding too.
FLAGS=(--fuzz-dir fuzz --sanitizer none --debug-assertions)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  # A debug build of the tool: it checks this small workspace in seconds either way,
  # and an optimised build of its ~300 crates costs CI minutes of its 2 cores.
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --debug
fi
rustc --version
cargo fuzz --version

# fuzz/ is its own workspace; start from the main lock so it builds the same
# dependency versions as the tests (fuzz/Cargo.lock is ignored by git).
cp Cargo.lock fuzz/Cargo.lock

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

build_start=$(date +%s)
if [ "$#" -gt 0 ]; then
  for t in "${targets[@]}"; do cargo fuzz build "${FLAGS[@]}" "$t"; done
else
  cargo fuzz build "${FLAGS[@]}"
fi
echo "build: $(( $(date +%s) - build_start )) s"
if [ -n "${FUZZ_BUILD_ONLY:-}" ]; then exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one target; writes its log to $work/<target>.log and its status to .rc.
run_one() {
  local t=$1
  mkdir -p "$work/$t/artifacts"
  cp -r "fuzz/corpus/$t" "$work/$t/corpus"
  set +e
  local budget
  if [ "$mode" = explore ]; then
    budget=(-max_total_time="$FUZZ_SECONDS")
  else
    budget=(-runs="$(runs_for "$t")")
  fi
  cargo fuzz run "${FLAGS[@]}" "$t" "$work/$t/corpus" -- \
    -seed="$SEED" "${budget[@]}" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
    >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
}

start=$(date +%s)
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '\n%-16s %12s %10s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  log="$work/$t.log"
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  [ -n "$execs" ] || execs=$(grep -oE '^Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  speed=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  if [ "$rc" = 0 ]; then
    printf '%-16s %12s %10s  ok\n' "$t" "${execs:-?}" "${speed:-?}"
  else
    failed=1
    printf '%-16s %12s %10s  FAILED (exit %s)\n' "$t" "${execs:-?}" "${speed:-?}" "$rc"
  fi
done
if [ "$mode" = explore ]; then
  echo "fuzzing ($mode, seed $SEED): $(( $(date +%s) - start )) s for ${#targets[@]} targets, $FUZZ_SECONDS s each, $JOBS at a time"
else
  echo "fuzzing ($mode, seed $SEED): $(( $(date +%s) - start )) s for ${#targets[@]} targets, fixed runs, $JOBS at a time"
fi

if [ "$failed" = 1 ]; then
  for t in "${targets[@]}"; do
    [ "$(cat "$work/$t.rc" 2>/dev/null || echo 99)" = 0 ] && continue
    echo
    echo "==> $t: last lines of the log"
    tail -40 "$work/$t.log"
    for a in "$work/$t/artifacts"/*; do
      [ -f "$a" ] || continue
      echo "finding $(basename "$a") of seed $SEED (hex; save it and replay with: RUSTC_BOOTSTRAP=1 cargo fuzz run ${FLAGS[*]} $t FILE):"
      od -An -tx1 -v "$a" | head -40
    done
  done
  exit 1
fi
