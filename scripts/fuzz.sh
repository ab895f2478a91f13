#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the parsers a client reaches (docs/security.md "Fuzzing"):
#   frame   — the envelope scanner, against Foundation's JSON parser
#   money   — wire amounts and payout multipliers, against Decimal
#   cursor  — paging cursors' numbers, one spelling per position
#   token   — access-token (JWT) verification, whole and spliced tokens
#   command — whole frames through a hub with every module (payload decoding, validation,
#             handlers, database constraints): never `internal`, the connection keeps answering
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]   (default 60 s, every target)
#
# Builds .build-fuzz/debug/switchboard-fuzz with libFuzzer's instrumentation (a separate scratch
# path: an ordinary build of the same target is the corpus replayer the test suite runs), then
# runs each target from the committed seeds in Fuzz/corpus/<target>. New inputs go to
# .build-fuzz/corpus/<target>; a finding is saved as .build-fuzz/findings/<target>-crash-… and
# the script exits non-zero. Replay one: .build/debug/switchboard-fuzz <target> <file>. Commit it
# to Fuzz/corpus/<target>/ with the fix, so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame money cursor token command)

toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
runtime=$(find "$toolchain/lib" -name 'libclang_rt.fuzzer_no_main-*.a' 2>/dev/null | head -n 1)
if [ -z "$runtime" ]; then
  echo "libFuzzer's runtime (libclang_rt.fuzzer_no_main) is not in the Swift toolchain at $toolchain" >&2
  exit 1
fi

echo "== building the fuzz targets with libFuzzer instrumentation"
# -sanitize=fuzzer only for the compiler frontend (coverage counters, comparison tracing); the
# link takes libFuzzer without its main, whose driver switchboard-fuzz starts itself
swift build --scratch-path .build-fuzz --product switchboard-fuzz \
  -Xswiftc -DSWITCHBOARD_FUZZING \
  -Xswiftc -Xfrontend -Xswiftc -sanitize=fuzzer \
  -Xswiftc -Xfrontend -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  -Xlinker "$runtime" -Xlinker -lstdc++ -Xlinker -lm
binary=.build-fuzz/debug/switchboard-fuzz

mkdir -p .build-fuzz/findings
status=0
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s"
  work=.build-fuzz/corpus/$target
  mkdir -p "$work"
  options=(-max_total_time="$seconds" -timeout=20 -print_final_stats=1 -artifact_prefix=".build-fuzz/findings/$target-")
  [ -f "Fuzz/$target.dict" ] && options+=(-dict="Fuzz/$target.dict")
  # the command target's hub keeps its database in a temporary directory removed afterwards
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/sb-fuzz-XXXXXX")
  rm -f .build-fuzz/findings/"$target"-*
  # libFuzzer, not the Swift runtime's backtracer, handles a finding's trap (it saves the input)
  set +e
  TMPDIR=$scratch SWIFT_BACKTRACE=enable=no "$binary" "$target" "${options[@]}" "$work" "Fuzz/corpus/$target" 2>&1 \
    | grep -v '^#[0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\|RELOAD\)'
  code=${PIPESTATUS[0]}
  set -e
  if [ "$code" != 0 ] || ls .build-fuzz/findings/"$target"-* >/dev/null 2>&1; then
    echo "!! $target: a finding (exit $code) — see .build-fuzz/findings/" >&2
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
