#!/usr/bin/env bash
# The ShanghaiTech B-best network with its haze taken off: the colour-jitter run B of
# crowdcount-centernet-jitter.sh (models/checkpoints/crowdcount-centernet-jitter.rvm: SHB held-out 14.11,
# but only 0.59 of its vtest.avi density on the walking people) with a new decoder trained on its fixed trunk
# with an L1 term on the background (train-count --background-l1 1: the absolute density of every cell with
# no labelled head within 2 cells). Stage 1's settings of crowdcount-centernet.sh otherwise (192-384-px
# patches at input scale 0.75 resized to 256, 10 % background patches, batch 16, 80 images held out with
# --seed 1), colour jitter 0.3, the pooled loss (--pooled-weight 1), every trunk convolution fixed
# (FREEZE=87, trunk lr x1e-6), Adam lr 3e-4, warm-up 30, cosine, 400 iterations (about 4 min on 2 cores).
# ShanghaiTech B train only: no vtest.avi, Mall or MOT17 frames.
# Then models/recipes/choose-input-scale.sh OUT 0.6667 DIR for the count factor K, and
# rankvision info OUT --set-input-scale 0.6667 --scale-counts K --out BUNDLE.
#
# Why (2026-12-06, night). Every fine-tuning of the trunk on ShanghaiTech B that counted it better moved
# vtest.avi's density off the walking people (models/crowdcount-default.md). A soft threshold on the density
# of run B at inference (every cell minus 0.002 people, negatives to 0; a test build, not kept) lifted its
# vtest in_boxes from 0.59 to 0.72 (the default: 0.72 to 0.84): most of the density off the people is a thin
# haze over the whole frame, which the squared per-cell loss hardly charges. The threshold cost counts
# (vtest eye 0.96 -> 1.18), so the L1 term teaches the decoder to leave the background empty instead.
# Layer-wise mixes of the default and run B (rankvision info --blend-from-conv N: the first N trunk
# convolutions the default's, the rest run B's) did not find a better point: N = 10 / 20 / 30 / 45 / 60 / 75
# / 87 gave SHB held-out 14.54 / 16.57 / 17.30 / 19.88 / 16.14 / 15.80 / 15.23 and vtest in_boxes
# 0.61 / 0.66 / 0.66 / 0.57 / 0.55 / 0.63 / 0.69.
#
# Results (MAE / correlation at 0.6667 with the factor fitted on the 320 training images, choose-input-scale.sh;
# vtest in_boxes: models/recipes/vtest-in-boxes.sh MODEL 0.6667):
#   model                                         k      | SHB held-out 80 | vtest 15 (eye) | Mall 15 (eye) | in_boxes
#   run B, decoder retrained, --background-l1 1   1.0570 | 14.45 / 0.971   | 1.03 / 0.845   | 4.35 / 0.889  | 0.71
#     (calibrated: models/checkpoints/crowdcount-centernet-haze.rvm; log models/crowdcount-centernet-haze.log.jsonl;
#     at 0.5625 / 0.625: 15.15 / 13.79 SHB, 1.50 / 1.55 vtest, 5.67 / 4.62 Mall, 0.70 / 0.74 in_boxes)
#   the same, 96-384-px patches (PATCH_MIN=96)   1.0249 | 14.53 / 0.971   | 1.03 / 0.846   | 4.31 / 0.893  | 0.71
#   the same, --background-l1 0.5                 1.0537 | 14.33 / 0.971   | 0.91 / 0.837   | 4.17 / 0.893  | 0.69
#   the same, --background-l1 3                   1.0655 | 14.79 / 0.971   | 1.44 / 0.857   | 4.86 / 0.882  | 0.77
#   the default's trunk, decoder retrained, no L1 1.0395 | 15.56 / 0.966   | 0.78 / 0.881   | 4.69 / 0.904  | 0.74
#   the L1 1 network, then 400 iterations more
#     with the trunk (10 convolutions fixed,
#     trunk lr x0.1, lr 1e-4, --background-l1 1) 1.0490 | 14.65 / 0.970   | 1.17 / 0.850   | 4.37 / 0.891  | 0.70
#   run B                                         1.1383 | 14.11 / 0.972   | 0.96 / 0.826   | 3.83 / 0.899  | 0.59
#   the default                                   1.0374 | 15.57 / 0.966   | 0.67 / 0.894   | 5.49 / 0.901  | 0.72
# MOT17-mini (never trained on; eval-count --video .../MOT17-0N-FRCNN/img1 --mot-gt .../gt/gt.txt at 0.6667): the
# L1 1 network MAE 22.7 / 19.6 and in_boxes 0.63 / 0.97 on MOT17-02 / -04; the default 57.5 / 15.8, 0.48 / 0.82.
# Tried 2026-12-07 on the v2 average's trunk (step 7 of crowdcount-centernet-default.sh; step 8 is this recipe
#   with INIT = that average): the "fine" decoder (train-count --decoder fine: a learned 1x1 at stride 4 whose
#   2x2 cells are stacked into channels, instead of the average to stride 8), the same 400 iterations: held-out
#   16.96 / 14.91 (uncalibrated, scale 0.75) at 200 / 400 against the pool decoder's 15.16 / 13.64; at 0.6667,
#   k 1.0487: SHB 15.16, vtest 0.80, Mall 4.24 (v2: 14.62 / 0.81 / 3.87). Not better.
# NOT the default: it under-counts vtest.avi's near walkers (frame 32, 5 by eye: 1.4; the default 3.5), so the
# eye MAE there is 1.03 against the default's 0.67, and ShanghaiTech B held-out is still above 14.
# Usage: models/recipes/crowdcount-centernet-haze.sh [RANKVISION_BIN] [OUT] [extra train-count flags]
#   (default OUT runs/centernet-haze/haze.rvm; L1=X sets the weight of the background term, default 1)
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-runs/centernet-haze/haze.rvm}
here=$(dirname "$0")
mkdir -p "$(dirname "$out")"
INIT=${INIT:-models/checkpoints/crowdcount-centernet-jitter.rvm} FREEZE=87 TRUNK_LR_MULT=1e-6 LR=3e-4 WARMUP=30 \
  ITERATIONS=${ITERATIONS:-400} VAL_EVERY=200 "$here/crowdcount-centernet.sh" "$bin" "$out" \
  --color-jitter 0.3 --pooled-weight 1 --background-l1 "${L1:-1}" "${@:3}"
