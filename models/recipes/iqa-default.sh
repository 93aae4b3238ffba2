#!/usr/bin/env bash
# Recipe of models/iqa-default.rvm (see models/iqa-default.md).
# Stage 1: ranking on the 17 TID2013 distortion types (4 levels + pristine) of
# unlabelled natural images (ShanghaiTech train photos and Debian opencv-doc
# example images). Stage 2: fine-tuning on LIVE-C scores, 100 images held out.
# Usage: models/recipes/iqa-default.sh [RANKVISION_BIN] [OUT]
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-models/iqa-default.rvm}
data=${RANKVISION_DATA:-../shared/data}
"$bin" train-iqa \
  --images "$data/shanghaitech/part_A/train_data/images" \
  --images "$data/shanghaitech/part_B/train_data/images" \
  --images /usr/share/doc/opencv-doc/examples/data \
  --distortions tid2013 \
  --scores "$data/livec/scores.csv" --score-images "$data/livec/images" --val 100 \
  --mode finetune --width 0.125 --batch-norm --crop 160 \
  --rank-sources 2 --rank-types 2 --rank-iterations 1500 --iterations 1500 --batch 16 \
  --optimizer adam --lr 3e-4 --seed 1 --threads ${THREADS:-1} \
  --checkpoint-every 100 --out "$out"

# As actually run for the shipped file (CPU time was short): stage 1 above was
# stopped with Ctrl-C after 1038 ranking iterations (checkpoint OUT.ckpt), then
# stage 2 ran alone from that checkpoint:
#   rankvision train-iqa --init OUT.ckpt --scores $data/livec/scores.csv \
#     --score-images $data/livec/images --val 100 --mode finetune --rank-iterations 0 \
#     --iterations 300 --batch 16 --crop 160 --optimizer adam --lr 3e-4 \
#     --seed 1 --threads 2 --calib-crops 2 --val-crops 5 --out OUT
