#!/usr/bin/env bash
# Stage 2 of the default counting model (models/crowdcount-default.md): starts
# from the weights of stage 1 (models/recipes/crowdcount-posenet.sh, whose
# 3000-iteration cosine schedule was stopped at iteration 2018: STOP_AFTER=2018;
# committed as models/checkpoints/crowdcount-posenet-stage1.rvm) with a fresh,
# lower cosine schedule and patches whose scale is centred on the test scale:
# 192–320 px of the half-resolution image resized to 256 (people at 0.4–0.67x
# their original size; the element runs at 0.5x). Stage 1 drew 128–384 px
# (0.33–1x) and over-counted whole images by a fifth.
# --seed 1 keeps the validation split of stage 1 (the split is drawn from the seed).
# Usage: models/recipes/crowdcount-posenet-stage2.sh STAGE1_BUNDLE [RANKVISION_BIN] [OUT] [extra flags...]
# Env: RANKVISION_DATA (default ../shared/data), THREADS (default 2), ITERATIONS (default 2500),
#      LR (decoder lr, default 3e-4; the trunk gets a tenth), COUNT_WEIGHT (default 0),
#      PATCH_MIN / PATCH_MAX (default 192 / 320), RESUME (a checkpoint of this stage),
#      STOP_AFTER (stop with a checkpoint after N iterations), DEVICE (default cpu).
# Tried before and not shipped: COUNT_WEIGHT=0.01 ITERATIONS=700 PATCH_MIN=128 PATCH_MAX=384
# (validation MAE swung 18.9 → 42.6 → 30.3 → 34.1).
set -euo pipefail
stage1=${1:?usage: crowdcount-posenet-stage2.sh STAGE1_BUNDLE [RANKVISION_BIN] [OUT]}
bin=${2:-build/training/rankvision}
out=${3:-models/crowdcount-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-2500}
resume=()
[ -n "${RESUME:-}" ] && resume=(--resume "$RESUME")
[ -n "${STOP_AFTER:-}" ] && resume+=(--stop-after "$STOP_AFTER")
"$bin" train-count \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --arch posenet_mnv1 --init "$stage1" --freeze-trunk 5 \
  --input-scale 0.5 --input-size 256 --patch-min "${PATCH_MIN:-192}" --patch-max "${PATCH_MAX:-320}" --background 0.05 \
  --batch 16 --no-rank --count-weight "${COUNT_WEIGHT:-0}" \
  --optimiser adam --lr "${LR:-3e-4}" --trunk-lr-mult 0.1 --weight-decay 1e-4 \
  --warmup 100 --lr-schedule cosine --iterations "$its" \
  --val 80 --val-every "${VAL_EVERY:-250}" --seed 1 --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" \
  --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out" "${resume[@]}" "${@:4}"
