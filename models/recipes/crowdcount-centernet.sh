#!/usr/bin/env bash
# Recipe of the CenterNet counting model (architecture centernet_mnv3): CenterNet's
# MobileNetV3 + FPN object detector, pretrained on COCO (80 classes, people among them;
# models/pretrained/centernet), up to its stride-4 head features and person logits, plus a
# stride-8 density decoder. Trained on ShanghaiTech B train labels with 80 images held out
# for validation (seeded split, as the PoseNet recipe). No vtest.avi or Mall frames.
#   - images at 0.75 of their size (--input-scale 0.75): the detector was trained on COCO at
#     512 px, where people are rarely as small as at half resolution;
#     patches of 192–384 px of that resized to 256 px (people at 0.5–1x); 10 % background;
#   - batch 16, Adam, lr 1e-3 for the decoder and 1e-4 for the trunk (--trunk-lr-mult 0.1),
#     warm-up 100 then cosine decay; the first 10 convolutions (stride <= 4) stay fixed;
#   - checkpoints every 100 iterations: interrupt and continue with RESUME=OUT.ckpt.
# Why: a frozen CenterNet trunk with only a small head (a Python check, 1500 iterations on
# cached features) already put the density on the heads of the pedestrians in vtest.avi and
# Mall, where the PoseNet default's leaks onto trees and buildings.
# Usage: models/recipes/crowdcount-centernet.sh [RANKVISION_BIN] [OUT] [extra flags...]
# Env: RANKVISION_DATA (default ../shared/data), THREADS (default 2), ITERATIONS (default 1500),
#      RESUME (a checkpoint), DEVICE (default cpu), STOP_AFTER (stop with a checkpoint);
#      INIT, PATCH_MIN, PATCH_MAX, LR, WARMUP (defaults: the graph file, 192, 384, 1e-3, 100),
#      which stage 2 (crowdcount-centernet-stage2.sh) sets; FREEZE, TRUNK_LR_MULT (defaults 10,
#      0.1), which crowdcount-centernet-trunk.sh sets; VAL (default 80: the held-out
#      images; 0 trains on all 400).
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-runs/centernet-stage1.rvm}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-1500}
resume=()
[ -n "${RESUME:-}" ] && resume=(--resume "$RESUME")
[ -n "${STOP_AFTER:-}" ] && resume+=(--stop-after "$STOP_AFTER")
"$bin" train-count \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --arch centernet_mnv3 --init "${INIT:-models/pretrained/centernet/centernet.json}" --freeze-trunk "${FREEZE:-10}" \
  --input-scale "${INPUT_SCALE:-0.75}" --input-size 256 --patch-min "${PATCH_MIN:-192}" --patch-max "${PATCH_MAX:-384}" --background 0.1 \
  --batch 16 --no-rank \
  --optimiser adam --lr "${LR:-1e-3}" --trunk-lr-mult "${TRUNK_LR_MULT:-0.1}" --weight-decay 1e-4 \
  --warmup "${WARMUP:-100}" --lr-schedule cosine --iterations "$its" \
  --val "${VAL:-80}" --val-every "${VAL_EVERY:-250}" --seed 1 --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" \
  --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out" "${resume[@]}" "${@:3}"
