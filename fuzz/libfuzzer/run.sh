#!/usr/bin/env bash
# Builds the libFuzzer target (ASan + coverage) and runs it for SECONDS (default 300) on one core,
# seeded with the conformance suite and the examples. Crashes land in fuzz/findings/libfuzzer/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds="${1:-300}"
root="$(cd ../.. && pwd)"
scratch="$root/.build-libfuzzer"
# SwiftPM keeps the build plan of a path dependency and misses files added to it since: drop the
# plan so the main package's sources are scanned afresh (the compiled objects stay).
rm -f "$scratch/release.yaml" "$scratch"/*/release/description.json
nice -n 19 swift build -c release --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/CoLangFuzz"
corpus="$scratch/corpus"
findings="$root/fuzz/findings/libfuzzer"
mkdir -p "$corpus" "$findings"
# Seed corpus: every conformance file and example (copied, so libFuzzer can add to the folder).
find "$root/Tests/CoLangTests/conformance" "$root/examples" -name '*.co' -size -64k -exec cp {} "$corpus/" \;
# Swift's crash backtracer reads the stack in a way ASan reports as an underflow: turn it off.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
exec nice -n 19 "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
  -max_len=4096 -dict="$root/fuzz/libfuzzer/colang.dict" -artifact_prefix="$findings/" -print_final_stats=1
