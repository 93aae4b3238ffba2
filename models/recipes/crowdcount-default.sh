#!/usr/bin/env bash
# Recipe of the VGG16 x0.25 counting default of 2026-11 (a historical model: today's default is
# made by models/recipes/crowdcount-centernet-default.sh, see models/crowdcount-default.md).
# Multi-task training from scratch (no ImageNet weights here): ShanghaiTech B
# train labels (80 images held out for validation, seeded split) + lambda x the
# all-pairs ranking loss on nested crops of unlabelled images (ShanghaiTech A
# train images used without their labels). No vtest.avi frames: that camera is
# left for the adaptation example (examples/adapt_vtest.sh).
# Width 0.25 with batch norm at input scale 0.375 is what runs >= 10 frames/s
# through crowdcount on 2 CPU cores at 768x576 (bench/plugin_overhead).
# Usage: models/recipes/crowdcount-default.sh [RANKVISION_BIN] [OUT]
# Env: RANKVISION_DATA (default ../shared/data), THREADS (default 1),
#      ITERATIONS (default 2400), LAMBDA (default 50).
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-models/crowdcount-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-2400}
"$bin" train-count \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --unlabeled-images "$data/shanghaitech/part_A/train_data/images" \
  --width 0.25 --batch-norm --input-scale 0.375 --input-size 128 \
  --batch 8 --rank-sets 2 --rank-k 5 --lambda "${LAMBDA:-50}" --pairs efficient \
  --optimiser adam --lr 3e-4 --lr-step $((its * 2 / 3)) --iterations "$its" \
  --val 80 --val-every 300 --seed 1 --threads "${THREADS:-1}" \
  --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out" "${@:3}"
