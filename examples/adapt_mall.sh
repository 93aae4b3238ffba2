#!/usr/bin/env bash
# Per-camera adaptation of the default counting model to a second fixed camera,
# the Mall shopping-centre camera (../shared/data/mall/frames: frames 1-800,
# 640x480, no labels), as a user would do it:
#
#   examples/adapt_mall.sh [OUT_MODEL]      (default out/mall-adapted.rvm)
#
# 1. `rankvision select` ranks every 8th frame by the ranking certainty C of the
#    default model and lists the 12 least certain (out/mall-select.csv).
# 2. A person counted a dozen frames by eye: examples/mall-frame-counts.csv
#    (7 of the selected ones, 5 spread over the sequence; see its header).
# 3. `rankvision adapt` fine-tunes the default model on the camera: the
#    nested-crop ranking loss on its frames, the counted frames (3 of them held
#    out with --holdout: not fitted, not used for the scale, their error
#    reported), the temporal median of the footage as a nearly empty frame
#    (out/mall-median.png: look at it; two people who sit still for most of the
#    footage stay in it as faint ghosts, hence --median-count 1), and
#    ShanghaiTech B patches against drift. The input scale is chosen on the
#    fitted frames.
# 4. `rankvision eval-count` on three more frames counted by eye that took no
#    part in anything (examples/mall-eye-counts.csv), and a heat map.
# Frames past 800 and any Mall labels are never used.
#
# Env: RANKVISION (CLI, default build/training/rankvision), RANKVISION_DATA
# (default ../shared/data), ITERATIONS (default from examples/mall_recipe.sh),
# THREADS (default 2), HOLDOUT (default 3; 0 fits all 12 frames).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_model=${1:-out/mall-adapted.rvm}
bin=${RANKVISION:-build/training/rankvision}
data=${RANKVISION_DATA:-../shared/data}
source examples/mall_recipe.sh
for f in "$bin" "$frames" "$base" "$labels" examples/mall-eye-counts.csv; do
  [ -e "$f" ] || { echo "adapt_mall: $f is missing (set RANKVISION_DATA?)" >&2; exit 1; }
done
mkdir -p "$(dirname "$out_model")" out

echo "== 1. frames to label first (least ranking certainty, every 8th frame)"
"$bin" select --model "$base" --video "$frames" --frames 7:800:8 --budget 12 --threads "${THREADS:-2}" \
  --out out/mall-select.csv | tail -n 1
echo "== 2. counted by eye: $labels"
echo "== 3. rankvision adapt"
start=$(date +%s)
"$bin" adapt "${mall_adapt_flags[@]}" --holdout "${HOLDOUT:-3}" --iterations "${ITERATIONS:-$mall_iterations}" \
  --threads "${THREADS:-2}" --median-out out/mall-median.png --log out/mall-adapt.log.jsonl --out "$out_model" \
  | tail -n 1 | tee out/mall-adapt.json
echo "   adaptation took $(( $(date +%s) - start )) s"
echo "== 4. three frames counted by eye that took no part (files 100, 300, 500)"
"$bin" eval-count --model "$out_model" --video "$frames" --frame-counts examples/mall-eye-counts.csv | tail -n 4
"$bin" heatmap --model "$out_model" --video "$frames" --frames 99,499 --width 480 --alpha 0.8 \
  --out out/mall-heatmap.png | tail -n 1
