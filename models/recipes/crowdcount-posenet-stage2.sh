#!/usr/bin/env bash
# Stage 2 of the default counting model (models/crowdcount-default.md): starts
# from the weights of stage 1 (models/recipes/crowdcount-posenet.sh, whose
# 3000-iteration cosine schedule was stopped at iteration 2018: STOP_AFTER=2018)
# and adds the patch count loss (--count-weight 0.01): stage 1 alone left a thin
# haze of density over the background that the per-cell loss hardly sees but the
# count does (+21 % on the ShanghaiTech B train images, +75 % on 512-px crops).
# --seed 1 keeps the validation split of stage 1 (the split is drawn from the seed).
# Usage: models/recipes/crowdcount-posenet-stage2.sh STAGE1_BUNDLE [RANKVISION_BIN] [OUT] [extra flags...]
# Env: RANKVISION_DATA (default ../shared/data), THREADS (default 2), ITERATIONS (default 700),
#      RESUME (a checkpoint of this stage), DEVICE (default cpu).
set -euo pipefail
stage1=${1:?stage-1 bundle or checkpoint}
bin=${2:-build/training/rankvision}
out=${3:-models/crowdcount-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-700}
resume=()
[ -n "${RESUME:-}" ] && resume=(--resume "$RESUME")
"$bin" train-count \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --arch posenet_mnv1 --init "$stage1" --freeze-trunk 5 \
  --input-scale 0.5 --input-size 256 --patch-min 128 --patch-max 384 --background 0.1 \
  --batch 16 --no-rank --count-weight 0.01 \
  --optimiser adam --lr 3e-4 --trunk-lr-mult 0.1 --weight-decay 1e-4 \
  --warmup 30 --lr-schedule cosine --iterations "$its" \
  --val 80 --val-every "${VAL_EVERY:-175}" --seed 1 --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" \
  --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out" "${resume[@]}" "${@:4}"
