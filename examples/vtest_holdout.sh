#!/usr/bin/env bash
# The hold-out experiment of models/examples/vtest-adapted.md: adapt the default
# model to vtest.avi on 9 of the 12 eye-counted frames (frames 32, 128 and 384
# left out), then count the 6 frames it never saw (those 3 and the frames of
# examples/vtest-holdout-counts.csv). One adapt run per setting.
#
#   examples/vtest_holdout.sh [OUTDIR]          (default out/vtest-holdout)
#
# Env: RANKVISION (default build/training/rankvision), RANKVISION_DATA (default
# ../shared/data), SETTINGS: space-separated ITERATIONS:FRAME_WEIGHT:SCALE,
# SCALE a number or "search" (default "75:10:search 150:10:search 300:10:search"),
# THREADS (default 2). Prints one line per setting: held-out MAE and MAE on the 9.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-out/vtest-holdout}
bin=${RANKVISION:-build/training/rankvision}
data=${RANKVISION_DATA:-../shared/data}
source examples/vtest_recipe.sh
for f in "$bin" "$video" "$data/shanghaitech/part_B/train_data"; do
  [ -e "$f" ] || { echo "vtest_holdout: $f is missing" >&2; exit 1; }
done
mkdir -p "$dir"
leave_out='^(32|128|384),'
grep -v '^#' examples/vtest-frame-counts.csv | grep -v -E "$leave_out" > "$dir/train.csv"
{ echo frame,count; grep -E "$leave_out" examples/vtest-frame-counts.csv
  grep -v '^#' examples/vtest-holdout-counts.csv | tail -n +2; } > "$dir/test.csv"
for setting in ${SETTINGS:-75:10:search 150:10:search 300:10:search}; do
  IFS=: read -r its weight scale <<< "$setting"
  if [ "$scale" = search ]; then scale_flags=(--scales "$vtest_scales"); else scale_flags=(--input-scale "$scale"); fi
  model="$dir/adapted-$its-$weight-$scale.rvm"
  summary=$("$bin" adapt "${vtest_adapt_flags[@]}" --frame-counts "$dir/train.csv" --iterations "$its" \
    --frame-weight "$weight" "${scale_flags[@]}" --threads "${THREADS:-2}" --quiet --out "$model" | tail -n 1)
  held=$("$bin" eval-count --model "$model" --video "$video" --frame-counts "$dir/test.csv" --quiet | tail -n 1)
  /usr/bin/python3 - "$setting" "$summary" "$held" <<'PY'
import json, sys
s, h = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"{sys.argv[1]}: held-out MAE {h['mae']:.2f} (n={h['n']}), MAE on its labels {s['frame_mae_after']:.2f}, "
      f"scale {s['input_scale']}")
PY
done
