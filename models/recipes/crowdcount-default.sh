#!/usr/bin/env bash
# Recipe of models/crowdcount-default.rvm (see models/crowdcount-default.md).
# Multi-task training from scratch (no ImageNet weights here): ShanghaiTech B
# train labels (80 images held out for validation) + the all-pairs ranking loss
# on nested crops of unlabelled images (ShanghaiTech A train images used
# without their labels, and frames 0-399 of vtest.avi).
# Usage: models/recipes/crowdcount-default.sh [RANKVISION_BIN] [OUT]
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-models/crowdcount-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
"$bin" train-count \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --unlabeled-images "$data/shanghaitech/part_A/train_data/images" \
  --unlabeled-video /usr/share/doc/opencv-doc/examples/data/vtest.avi --unlabeled-frames 0:400 \
  --width 0.25 --batch-norm --input-scale 0.5 --input-size 128 \
  --batch 8 --rank-sets 2 --rank-k 5 --lambda 1 --pairs efficient \
  --optimiser adam --lr 3e-4 --lr-step 1200 --iterations 1800 \
  --val 80 --val-every 300 --seed 1 --threads ${THREADS:-1} \
  --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out"
