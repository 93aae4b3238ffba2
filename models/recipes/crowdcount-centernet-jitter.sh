#!/usr/bin/env bash
# Two Euclidean-loss fine-tunings with colour jitter (train-count --color-jitter 0.3) of the lead of
# 2026-12-05, models/checkpoints/crowdcount-centernet-bayes-jitter.rvm (the default, then
# crowdcount-centernet-trunk.sh, then INIT=<trunk bundle> JITTER=0.3 crowdcount-centernet-bayes.sh):
#   A: stage 1's settings of crowdcount-centernet.sh (192-384-px patches at input scale 0.75 resized to
#      256, 10 % background patches, batch 16, the first 10 convolutions fixed, trunk lr x0.1, 80 images
#      held out with --seed 1) with Adam lr 1e-4, warm-up 50, cosine, 400 iterations, jitter 0.3;
#   B: from A, the same with the pooled density loss (--pooled-weight 1: the loss on 2x2- and 4x4-cell
#      sums, against haze), warm-up 30, 300 iterations.
# Then models/recipes/choose-input-scale.sh B 0.6667 OUT for the count factor, and
# rankvision info B --set-input-scale 0.6667 --scale-counts K --out BUNDLE.
# Run on 2026-12-06 (A 1120 s, B 739 s on 2 cores; logs models/crowdcount-centernet-jitter-a.log.jsonl and
# -b.log.jsonl; B calibrated: models/checkpoints/crowdcount-centernet-jitter.rvm, k 1.0137). NOT the default.
#   held-out MAE during training (uncalibrated, scale 0.75): A 18.3 / 13.0 at 200 / 400; B 13.2 / 12.3 at
#   150 / 300 (the lead's own run: 18.8 / 20.2 / 18.9 at 200 / 400 / 600);
#   choose-input-scale.sh at 0.6667 (MAE / correlation, factor fitted on the 320 training images):
#     model  k      | SHB train 320 | SHB held-out 80 | vtest 15 (eye) | Mall 15 (eye)
#     A      1.0404 | 10.99 / 0.984 | 14.25 / 0.971   | 0.98 / 0.821   | 3.71 / 0.913
#     B      1.0137 | 10.88 / 0.984 | **14.11** / 0.972 | 0.96 / 0.826 | 3.83 / 0.899
#     (the default: 15.57 / 0.966, 0.67 / 0.894, 5.49 / 0.901)
#   MOT17-02 / -04 (never trained on), A at 0.6667: in_boxes 0.59 / 0.85 (the default: 0.48 / 0.82).
#   Where the density lies on vtest.avi, label-free (rankvision motion-boxes --video vtest.avi --out GT --frames 0:400: boxes round what
#   moves against the temporal median of frames 0-399; then eval-count --video vtest.avi --mot-gt GT
#   --frames 0:400; the grown boxes cover 0.083 of the frame): in_boxes A 0.58, B 0.59, against the
#   default's **0.72**. The trunk bundle gives 0.58 too (every 2nd frame), and the lead 0.50: the density
#   spreads off the walking people once the trunk is fine-tuned on ShanghaiTech B, whatever the loss
#   after it. A at input scale 0.75 puts 18 % of its mass in the top and bottom 30 px of the frame (the
#   default 4 %); at 0.6667 the top strip still holds 8 % (the default 3.6 %). Mall (motion boxes of
#   frames 0-399, grown boxes cover 0.50): A 0.73, B 0.74, the default 0.72.
#   A 0.5 / 0.5 weight average of A with the default (rankvision info --blend, density scales matched
#   with info --scale-counts first): SHB 15.79, vtest 0.73, Mall 3.80, vtest in_boxes 0.66.
#   Not the default: it counts ShanghaiTech B and Mall better than the default and puts more of its density
#   inside MOT17's boxes, but on vtest.avi a quarter less of it lies on the walking people (0.59
#   against 0.72; the goal on PETS's boxes is 0.7 or more).
# Tried the same day from the default instead (INIT=models/crowdcount-default.rvm, B's flags with warm-up 50
#   and 400 iterations; 1030 s): held-out 17.9 / 15.2 (uncalibrated) at 200 / 400; at 0.6667, k 1.0568:
#   SHB 15.74, vtest 1.07, Mall 4.51; vtest in_boxes (motion boxes) **0.74**, MOT17-02 / -04 in_boxes
#   0.53 / 0.83. Its density stays on the people, but it under-counts vtest.avi (0.83 of the eye counts
#   with the factor) and is no better on ShanghaiTech B: not the default either.
#   The same without the pooled loss (A's flags from the default; 1030 s): held-out 17.4 / 15.2 at 200 / 400;
#   at 0.6667, k 1.0556: SHB 15.84, vtest 1.06, Mall 4.59, vtest in_boxes 0.73: the pooled loss is not what
#   makes vtest.avi come out low.
# Usage: models/recipes/crowdcount-centernet-jitter.sh [RANKVISION_BIN] [OUT_DIR]
#   (writes OUT_DIR/a.rvm and OUT_DIR/b.rvm; default runs/centernet-jitter)
set -euo pipefail
bin=${1:-build/training/rankvision}
out=${2:-runs/centernet-jitter}
here=$(dirname "$0")
mkdir -p "$out"
INIT=${INIT:-models/checkpoints/crowdcount-centernet-bayes-jitter.rvm} LR=1e-4 WARMUP=50 ITERATIONS=400 \
  VAL_EVERY=200 "$here/crowdcount-centernet.sh" "$bin" "$out/a.rvm" --color-jitter 0.3
INIT="$out/a.rvm" LR=1e-4 WARMUP=30 ITERATIONS=300 VAL_EVERY=150 \
  "$here/crowdcount-centernet.sh" "$bin" "$out/b.rvm" --color-jitter 0.3 --pooled-weight 1
