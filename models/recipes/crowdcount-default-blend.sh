#!/usr/bin/env bash
# Recipe of models/crowdcount-posenet.rvm, the default from 2026-12-04 to 2026-12-05 (card: models/crowdcount-posenet.md):
# the weight average of two fine-tunings of one stage-1 network, calibrated on the
# ShanghaiTech B training images.
#   A. models/checkpoints/crowdcount-posenet-stage1-3000.rvm: stage 1
#      (models/recipes/crowdcount-posenet.sh) run to the end of its 3000-iteration cosine
#      schedule: resumed from models/checkpoints/crowdcount-posenet-stage1.rvm (iteration 2018,
#      no optimiser state kept) with
#      ITERATIONS=3000 RESUME=models/checkpoints/crowdcount-posenet-stage1.rvm models/recipes/crowdcount-posenet.sh BIN OUT
#   B. models/checkpoints/crowdcount-posenet-sha80.rvm: the same iteration-2018 network fine-tuned
#      800 iterations on ShanghaiTech B train plus 80 ShanghaiTech A train images (labels used;
#      the list is below), lr 2e-4, cosine: STAGE=sha80 below. (As run: stopped at iteration 443,
#      resumed from its checkpoint with --threads 1.)
#   C. blend (1-T)·A + T·B with T = 0.5, input scale 0.5625, count factor 0.8842:
#      STAGE=blend below. T and the scale were chosen by models/recipes/choose-input-scale.sh on
#      the blends T = 0, 0.3, 0.5, 0.7, 1 (card); the factor is fitted there on the ShanghaiTech B
#      training images.
# Usage: STAGE=sha80|blend models/recipes/crowdcount-default-blend.sh [RANKVISION_BIN] [OUT]
# Env: RANKVISION_DATA (default ../shared/data), THREADS (default 2), RESUME, STOP_AFTER.
set -euo pipefail
bin=${1:-build/training/rankvision}
data=${RANKVISION_DATA:-../shared/data}
case "${STAGE:-blend}" in
sha80)
  out=${2:-runs/sha80-stage/crowdcount-posenet-sha80.rvm}
  sha=$(dirname "$out")/sha80
  mkdir -p "$sha/images" "$sha/ground-truth"
  for i in 1 5 6 24 27 45 46 47 61 64 67 68 69 74 76 78 81 86 87 89 90 92 102 107 111 116 119 121 132 137 148 152 157 158 159 161 162 166 167 169 171 173 174 176 183 186 188 198 200 204 206 213 214 215 216 219 222 224 226 232 247 250 251 255 256 263 266 268 269 271 272 274 279 286 288 289 291 294 295 297; do
    ln -sf "$(realpath "$data/shanghaitech/part_A/train_data/images/IMG_$i.jpg")" "$sha/images/IMG_$i.jpg"
    ln -sf "$(realpath "$data/shanghaitech/part_A/train_data/ground-truth/GT_IMG_$i.mat")" "$sha/ground-truth/GT_IMG_$i.mat"
  done
  resume=()
  [ -n "${RESUME:-}" ] && resume=(--resume "$RESUME")
  [ -n "${STOP_AFTER:-}" ] && resume+=(--stop-after "$STOP_AFTER")
  "$bin" train-count \
    --shanghaitech "$data/shanghaitech/part_B/train_data" --extra-shanghaitech "$sha" \
    --arch posenet_mnv1 --init models/checkpoints/crowdcount-posenet-stage1.rvm --freeze-trunk 5 \
    --input-scale 0.5 --input-size 256 --patch-min 128 --patch-max 384 --background 0.1 \
    --batch 16 --no-rank --optimiser adam --lr 2e-4 --trunk-lr-mult 0.1 --weight-decay 1e-4 \
    --warmup 50 --lr-schedule cosine --iterations 800 --val 80 --val-every 400 --seed 1 \
    --threads "${THREADS:-2}" --checkpoint-every 100 --log "${out%.rvm}.log.jsonl" --out "$out" "${resume[@]}"
  ;;
blend)
  out=${2:-models/crowdcount-posenet.rvm}
  "$bin" info models/checkpoints/crowdcount-posenet-stage1-3000.rvm \
    --blend models/checkpoints/crowdcount-posenet-sha80.rvm --blend-weight 0.5 \
    --set-input-scale 0.5625 --scale-counts 0.8842 --out "$out"
  ;;
*) echo "STAGE must be sha80 or blend" >&2; exit 2 ;;
esac
