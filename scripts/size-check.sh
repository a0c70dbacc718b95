#!/usr/bin/env bash
# Builds the phone library's host twin (x86_64 cdylib, release profile: LTO, one
# codegen unit, opt-level "s", stripped, unwinding kept) and fails if it is over the
# size budget of issue 5.
#   scripts/size-check.sh            # size and budget check
#   scripts/size-check.sh --crates   # also what each crate costs (one more link, unstripped)
#   scripts/size-check.sh --arm64    # also the arm64 twin (aarch64-unknown-linux-gnu): the phones'
#                                    # ABI, linked against glibc since there is no NDK here; needs
#                                    # `rustup target add aarch64-unknown-linux-gnu` and Debian's
#                                    # gcc-aarch64-linux-gnu
# The per-crate table counts the sizes of code symbols by the crate that defines them;
# symbols without a Rust path are C (SQLCipher, ring's assembly).
set -euo pipefail
cd "$(dirname "$0")/.."

budget=$((6 * 1024 * 1024))
target="${CARGO_TARGET_DIR:-$PWD/target}"
lib="$target/release/librantau_ffi.so"

cargo build --quiet --locked -p rantau-ffi --release
size=$(stat -c %s "$lib")
printf 'librantau_ffi.so (stripped, release): %s bytes = %s MiB; budget %s bytes (6 MiB)\n' \
  "$size" "$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }')" "$budget"

if [[ "${1:-}" == "--crates" ]]; then
  # Same profile without stripping: only the final link runs again.
  CARGO_PROFILE_RELEASE_STRIP=false cargo build --quiet --locked -p rantau-ffi --release
  echo
  echo "sections (bytes):"
  size -A "$lib" | awk '$1 ~ /^\.(text|rodata|eh_frame|rela\.dyn|data\.rel\.ro|gcc_except_table|eh_frame_hdr|got|data)$/ { printf "  %-18s %9d\n", $1, $2 }'
  echo
  echo "code by crate (bytes of text symbols):"
  nm -t d -S --size-sort -C "$lib" | awk '
    $3 ~ /^[tTwW]$/ {
      size = $2 + 0; $1 = $2 = $3 = ""; name = substr($0, 4)
      if (name ~ /^ring_core_/) key = "ring"
      else if (name !~ /::/) key = "C: SQLCipher"
      else {
        sub(/^<(&(mut )?)?(dyn )?/, "", name); split(name, part, "::"); key = part[1]
        if (key ~ /^ring/) key = "ring"
      }
      total[key] += size
    }
    END { for (k in total) printf "  %9d  %s\n", total[k], k }' | sort -rn | head -25
  # Leave the stripped artifact behind, as the first build did.
  cargo build --quiet --locked -p rantau-ffi --release
fi

if [[ "${1:-}" == "--arm64" ]]; then
  triple=aarch64-unknown-linux-gnu
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
    cargo build --quiet --locked -p rantau-ffi --release --target "$triple"
  arm=$(stat -c %s "$target/$triple/release/librantau_ffi.so")
  printf 'librantau_ffi.so (%s, stripped, release): %s bytes = %s MiB\n' \
    "$triple" "$arm" "$(awk -v s="$arm" 'BEGIN { printf "%.2f", s / 1048576 }')"
fi

if (( size > budget )); then
  echo "over budget by $((size - budget)) bytes" >&2
  exit 1
fi
