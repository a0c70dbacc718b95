#!/usr/bin/env bash
# Exploration: the gate's random tests with fresh seeds and more cases, and longer
# fuzzing. Run it before each stop; it is not part of the gate (.ci/run), which uses
# the seeds fixed in the repository so that a commit always gets the same verdict.
#
# Each round draws new seeds for every seeded test — property tests
# (PROPTEST_RNG_SEED, PROPTEST_CASES), the crash tests (RANTAU_CRASH_SEED and
# RANTAU_WITHDRAW_SEED, RANTAU_TYPING_SEED, more kills),
# the network-fault schedule (NET_FAULTS_SEED) and the soak (SOAK_SEED) — runs the
# whole Rust suite with them, and prints a table: one row per round with its seeds,
# its verdict and, for a failure, the command that replays it. Then every fuzz
# target runs for FUZZ_SECONDS from a fresh seed (scripts/fuzz-ci.sh).
#
# What it finds becomes a fix plus a committed regression case (a proptest
# regression file, a named crash-seed test, a fuzz corpus file).
#
#   bash scripts/explore.sh                  # 1 round, 1,024 cases per property, fuzz 120 s each
#   EXPLORE_ROUNDS=10 bash scripts/explore.sh
#   FUZZ_SECONDS=0 bash scripts/explore.sh   # no fuzzing
# Exits non-zero when any round or target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${EXPLORE_ROUNDS:-1}"
CASES="${EXPLORE_CASES:-1024}"
KILLS="${EXPLORE_KILLS:-100}"
FUZZ="${FUZZ_SECONDS:-120}"
logs=$(mktemp -d)
echo "exploration: $ROUNDS round(s), $CASES cases per property, $KILLS kills; logs in $logs"

seed() { echo $(( (RANDOM << 30 | RANDOM << 15 | RANDOM) + 1 )); }

cargo test --workspace --locked --no-run -q >/dev/null 2>&1 || {
  echo "the tests do not build"; exit 1; }

failed=0
table=()
for round in $(seq 1 "$ROUNDS"); do
  env_line="PROPTEST_RNG_SEED=$(seed) PROPTEST_CASES=$CASES RANTAU_CRASH_SEED=$(seed) RANTAU_CRASH_KILLS=$KILLS RANTAU_WITHDRAW_SEED=$(seed) RANTAU_WITHDRAW_KILLS=$KILLS RANTAU_TYPING_SEED=$(seed) RANTAU_TYPING_KILLS=$KILLS NET_FAULTS_SEED=$(seed) SOAK_SEED=$(seed)"
  log="$logs/round-$round.log"
  start=$SECONDS
  # shellcheck disable=SC2086 # env_line is a list of NAME=VALUE words
  if env $env_line cargo test --workspace --locked >"$log" 2>&1; then
    verdict="ok"
  else
    verdict="FAILED"
    failed=1
  fi
  passed=$(grep -oE '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
  fails=$(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
  row=$(printf '%3d  %-6s  %5d passed %3d failed  %4ds  %s' "$round" "$verdict" "$passed" "$fails" $((SECONDS - start)) "$env_line")
  table+=("$row")
  echo "$row"
  if [ "$verdict" != ok ]; then
    grep -E '^test .* FAILED$|panicked at|^---- ' "$log" | head -20
    echo "     replay: $env_line cargo test --workspace --locked"
    echo "     (a proptest failure is also saved under proptest-regressions/: commit it with the fix)"
  fi
done

echo
echo "round verdict  tests                     time   seeds"
printf '%s\n' "${table[@]}"

if [ "$FUZZ" != 0 ]; then
  echo
  echo "fuzzing every target for $FUZZ s from a fresh seed"
  FUZZ_SECONDS="$FUZZ" bash scripts/fuzz-ci.sh || failed=1
fi

if [ "$failed" = 1 ]; then
  echo "exploration found failures (logs in $logs)"
  exit 1
fi
echo "exploration: nothing found"
rm -rf "$logs"
