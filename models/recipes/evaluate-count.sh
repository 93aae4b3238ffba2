#!/usr/bin/env bash
# The numbers and pictures of a counting model's card, on development data only:
#   - ShanghaiTech B: the 80 train images train-count held out (--val 80 --seed 1), as they are and
#     mirrored (eval-count --mirror; choose-input-scale.sh says why);
#   - vtest.avi: the 15 frames of 0-399 counted by eye (examples/vtest-*-counts.csv);
#   - heat maps (PNG): two held-out ShanghaiTech B images, vtest frames 100 and 300,
#     Mall frames 100 and 500 (no labels: look at them).
# Usage: models/recipes/evaluate-count.sh MODEL OUTDIR [RANKVISION_BIN]
# Env: RANKVISION_DATA (default ../shared/data), SCALE (override the model's input scale).
set -euo pipefail
model=${1:?model}; out=${2:?output folder}; bin=${3:-build/training/rankvision}
data=${RANKVISION_DATA:-../shared/data}
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
mkdir -p "$out"
sc=(); [ -n "${SCALE:-}" ] && sc=(--input-scale "$SCALE")
"$bin" eval-count --model "$model" "${sc[@]}" --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --holdout 80 --seed 1 --quiet --csv "$out/shb-holdout.csv" | tail -1 | tee "$out/shb-holdout.json"
"$bin" eval-count --model "$model" "${sc[@]}" --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --holdout 80 --seed 1 --mirror --quiet --csv "$out/shb-mirrored.csv" | tail -1 | tee "$out/shb-mirrored.json"
cat examples/vtest-frame-counts.csv <(grep -v '^#' examples/vtest-holdout-counts.csv | tail -n +2) > "$out/vtest-counts.csv"
"$bin" eval-count --model "$model" "${sc[@]}" --video "$vtest" --frame-counts "$out/vtest-counts.csv" --quiet \
  --csv "$out/vtest.csv" | tail -1 | tee "$out/vtest.json"
shb=$(awk -F, 'NR==2||NR==3{print $1}' "$out/shb-holdout.csv" | sed "s|^|$data/shanghaitech/part_B/train_data/images/|" | paste -sd,)
"$bin" heatmap --model "$model" "${sc[@]}" --images "$shb" --width 400 --out "$out/heatmap-shb.png" | tail -1
"$bin" heatmap --model "$model" "${sc[@]}" --video "$vtest" --frames 100,300 --width 400 --out "$out/heatmap-vtest.png" | tail -1
"$bin" heatmap --model "$model" "${sc[@]}" --images "$data/mall/frames/seq_000100.jpg,$data/mall/frames/seq_000500.jpg" \
  --width 400 --out "$out/heatmap-mall.png" | tail -1
