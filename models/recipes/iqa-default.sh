#!/usr/bin/env bash
# Recipe of models/iqa-default.rvm (see models/iqa-default.md): the "multitask"
# arm of scripts/paper/iqa-table.sh, trained from scratch on CPU.
# Multi-task (Eq. 5): L_reg on LIVE-C scores (100 images held out, seeded) +
# lambda=1 x the all-pairs ranking loss on the 17 TID2013 distortion types (4
# levels + pristine) of unlabelled photos (ShanghaiTech A and B train images,
# Debian opencv-doc example images), 160-px crops, width 0.125 with batch norm.
# Usage: models/recipes/iqa-default.sh [RANKVISION_BIN] [OUT]
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-models/iqa-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
"$bin" train-iqa \
  --images "$data/shanghaitech/part_A/train_data/images" \
  --images "$data/shanghaitech/part_B/train_data/images" \
  --images /usr/share/doc/opencv-doc/examples/data --distortions tid2013 \
  --scores "$data/livec/scores.csv" --score-images "$data/livec/images" --val 100 --val-crops 5 \
  --mode multitask --lambda 1 --rank-iterations 0 --iterations 1000 \
  --width 0.125 --batch-norm --crop 160 --batch 16 --rank-sources 2 --rank-types 2 \
  --optimizer adam --lr 3e-4 --lr-step 666 --seed 1 --threads "${THREADS:-1}" \
  --checkpoint-every 100 --out "$out"
