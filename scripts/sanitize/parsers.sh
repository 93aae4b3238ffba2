#!/usr/bin/env bash
# The parsers that need no LibTorch (points JSON/CSV, frame counts, LIVE-C
# scores, MOT gt, ShanghaiTech .mat, zones), built on their own with
# AddressSanitizer and UndefinedBehaviorSanitizer (g++) and run on their fuzz
# seeds and every committed regression input (fuzz/corpus, fuzz/regressions).
# It takes a minute, so scripts/test runs it on every CI run; the whole suite
# under the sanitizers is scripts/test --sanitize.
# Usage: scripts/sanitize/parsers.sh [OUTDIR]   (default build/sanitized-parsers)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/sanitized-parsers}
mkdir -p "$out"
flags=(-std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
       -Icore -Igst-plugin -Ifuzz $(pkg-config --cflags opencv4 gstreamer-1.0 matio zlib))
libs=($(pkg-config --libs opencv4 gstreamer-1.0 matio zlib))
common=(core/common/error.cpp core/common/json_file.cpp core/common/polygon.cpp core/data/csv.cpp
        core/data/annotations.cpp core/data/mot.cpp core/data/shanghaitech.cpp gst-plugin/zones.cpp)
# One object per common source, then one binary per target (replay_main + the target).
objs=()
for src in "${common[@]}" fuzz/replay_main.cpp; do
  obj="$out/$(echo "$src" | tr / _).o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then g++ "${flags[@]}" -c "$src" -o "$obj"; fi
  [ "$src" = fuzz/replay_main.cpp ] && main_obj=$obj || objs+=("$obj")
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in csv_points json_points frame_counts iqa_scores mot mat zones; do
  g++ "${flags[@]}" "fuzz/fuzz_$t.cpp" "$main_obj" "${objs[@]}" "${libs[@]}" -o "$out/replay_$t"
  dirs=("fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  if "$out/replay_$t" "${dirs[@]}" > "$out/replay_$t.log" 2>&1; then
    echo "sanitized replay $t: $(tail -1 "$out/replay_$t.log")"
  else
    echo "sanitized replay $t: FAILED"; tail -30 "$out/replay_$t.log"; status=1
  fi
done
exit $status
