#!/usr/bin/env bash
# The whole recipe of models/crowdcount-default.rvm (card: models/crowdcount-default.md).
# Since the afternoon of 2026-12-07 the default is "v3" (step 10): the even weight average of v2 (steps 1-9,
# written as OUTDIR/v2.rvm) and haze (step 6), at input scale 0.75 with its own count factor (0.6667 had been
# kept for a speed the corrected bench no longer asks for; the card's v3 section has the choice). Rebuilt from
# the committed stage checkpoints on 2026-12-07: 8 min 5 s on 2 cores, the shipped file.
# v2, the default of the morning of 2026-12-07: the default of 2026-12-05/06 ("v1", steps 1-4) averaged with the
# haze-free ShanghaiTech B lead of 2026-12-06 (steps 5-7), with a new density decoder on that average
# (step 8), then the input scale and count factor (step 9). ShanghaiTech B train only (80 images held out,
# --seed 1) in every training step; no vtest.avi, Mall or MOT17 frames.
#   5. run B: models/checkpoints/crowdcount-centernet-jitter.rvm (RUNB), made from v1 by
#      crowdcount-centernet-trunk.sh, then crowdcount-centernet-bayes.sh with JITTER=0.3 (the
#      bayes-jitter checkpoint), then crowdcount-centernet-jitter.sh (its B); each script says how;
#   6. haze: models/checkpoints/crowdcount-centernet-haze.rvm (HAZE): run B's fixed trunk with a new decoder
#      trained with the background L1 term (crowdcount-centernet-haze.sh; made here when HAZE is empty);
#   7. the weight average (1-T)·v1 + T·haze, T = 0.8 (rankvision info --blend, which first sets haze's density
#      scale to v1's, its weights as they are; checked 2026-12-07: the same weights and density scale as the
#      earlier two-step --scale-counts match);
#   8. a new decoder on that average's fixed trunk: crowdcount-centernet-haze.sh with INIT = the average
#      (--background-l1 1, colour jitter 0.3, the pooled loss, 400 iterations, about 5 min on 2 cores);
#   9. input scale 0.6667 and the least-squares count factor on the 320 training images
#      (choose-input-scale.sh): v2;
#  10. the weight average 0.5 v2 + 0.5 haze (T3), input scale 0.75 (SCALE3) and its count factor: v3.
# To rebuild the shipped file from the committed checkpoints instead of training steps 1-2 (about 95 min):
#   mkdir -p OUT && cp models/checkpoints/crowdcount-centernet-stage1.rvm OUT/stage1.rvm &&
#   cp models/checkpoints/crowdcount-centernet-stage2.rvm OUT/stage2.rvm
# (v1 rebuilt that way gives the same predictions as the v1 file: checked on the 80 held-out images).
# Step 8 is a fresh training run: run twice here (2026-12-07) it gave the same held-out MAE to 7 digits
# (13.6398 uncalibrated at 0.75 at its end; 307 s); on another machine it may differ in the last digits.
#
# Why v2 (2026-12-07; MAE / correlation at 0.6667, factor fitted, choose-input-scale.sh; vtest in_boxes:
# models/recipes/vtest-in-boxes.sh MODEL 0.6667; MOT17: eval-count --mot-gt, never trained on):
#   model                                   k      | SHB held-out 80 | vtest 15 (eye) | Mall 15 (eye) | in_boxes | MOT17-02 / -04 in_boxes
#   v1 (the default until 2026-12-06)       1.0374 | 15.57 / 0.966   | 0.67 / 0.894   | 5.49 / 0.901  | 0.72     | 0.48 / 0.82
#   haze (step 6)                           1.0570 | 14.45 / 0.971   | 1.03 / 0.845   | 4.35 / 0.889  | 0.71     | 0.63 / 0.97
#   average T = 0.3                         1.0596 | 16.39 / 0.966   | 0.82 / 0.901   | 5.66 / 0.901  | 0.76     |
#   average T = 0.5                         1.0765 | 15.74 / 0.969   | 0.70 / 0.891   | 4.88 / 0.905  | 0.75     |
#   average T = 0.7                         1.1084 | 15.11 / 0.971   | 0.72 / 0.877   | 3.70 / 0.905  | 0.72     |
#   average T = 0.8                         1.1327 | 14.57 / 0.972   | 0.77 / 0.864   | 3.69 / 0.904  | 0.71     | 0.56 / 0.94
#   average T = 0.85                        1.1470 | 14.38 / 0.972   | 0.81 / 0.857   | 3.82 / 0.902  | 0.71     |
#   average T = 0.9                         1.1633 | 14.29 / 0.972   | 0.84 / 0.851   | 3.98 / 0.898  | 0.71     | 0.59 / 0.96
#   T = 0.9, new decoder (step 8)           1.0435 | 14.44 / 0.972   | 0.89 / 0.855   | 4.09 / 0.896  | 0.73     | 0.60 / 0.97
#   **T = 0.8, new decoder (v2, shipped)**  1.0343 | **14.62** / 0.971 | **0.81** / 0.868 | **3.87** / 0.901 | **0.75** | **0.58 / 0.96**
#   run B averaged with v1 instead of haze, T = 0.8   1.0877 | 14.37 | 1.12 | 3.50 | 0.61 (the L1 decoder is what keeps vtest's density on the people)
#   a 3-way average (v1 0.15, then haze 0.6 / bayes-jitter 0.25)  1.1265 | 14.57 | 0.82 | 3.82 | 0.70
#   steps 6-8 with the haze decoder trained with --background-l1 0.5 (L1=0.5 crowdcount-centernet-haze.sh):
#     its T = 0.8 average 1.1296 | 14.50 | 0.82 | 3.63 | 0.69; with the new decoder 1.0346 | 14.63 | 0.81 | 3.86 | 0.75:
#     step 8 lands on the same numbers whichever haze decoder the average started from.
#   step 8 at base scale 0.6667 (INPUT_SCALE=0.6667 for the decoder run): 0.9908 | 15.05 | 1.02 | 4.27 | 0.80
#   v2 at input scale 0.75 (k 1.0106 on top): 13.78 | 0.79 | 4.52 | 0.76, at 0.77x the frames/s (card: not shipped)
#   step 8 run 1000 iterations (ITERATIONS=1000; 674 s; held-out at 0.75, uncalibrated, 15.57 / 13.80 / 13.43 / 13.75 /
#     13.77 at 200 / 400 / 600 / 800 / 1000): 1.0151 | 14.86 | 0.95 | 4.08 | 0.77: longer is not better
# v2 against v1: ShanghaiTech B held-out -0.95, Mall -1.6, more of the density on the people of vtest.avi
# (0.75 against 0.72) and MOT17 (0.58 / 0.96 against 0.48 / 0.82), vtest.avi's eye-counted frames 0.14 worse
# (it under-counts the group of three by the sign in frames 20-32, as v1 does, a little more).
# Not reached: ShanghaiTech B below 14 at this scale. The held-out MAE moves by +-0.3 with the scale alone
# (T = 0.9 average: 14.41 / 13.89 / 14.47 / 14.29 / 13.73 at 0.6 / 0.625 / 0.65 / 0.6667 / 0.7), so
# differences below that are noise. Padding the input by replication instead of black (a test build, not
# kept) moved it by 0.07.
#
# v1 (steps 1-4), the default from 2026-12-05 to 2026-12-06:
# CenterNet's COCO detector as trunk, two stages on
# ShanghaiTech B train (80 images held out, --seed 1), their weight average, then the
# input scale and count factor chosen on development data.
#   1. stage 1: models/recipes/crowdcount-centernet.sh (1500 iterations, 2562 s on 2 cores);
#   2. stage 2: models/recipes/crowdcount-centernet-stage2.sh from stage 1 (1500, ~3100 s);
#   3. the average of both (rankvision info --blend, T = 0.5): stage 1 alone counts vtest.avi
#      best and Mall worst, stage 2 the reverse; the average is between on both and best on
#      ShanghaiTech B (models/crowdcount-default.md has the table);
#   4. scale 0.6667 (frames of 768x576 become 512x384, whole 32-px cells: no padding) and the
#      least-squares count factor on the 320 training images, from
#      models/recipes/choose-input-scale.sh OUT/blend.rvm "0.6667 0.75" OUT/scale.
# Tried on 2026-12-05 (not kept): a third stage from the blend (stage-2 settings, lr 1e-4,
#   warm-up 50, 800 iterations, 1219 s: INIT=OUT/blend.rvm PATCH_MIN=160 PATCH_MAX=448 LR=1e-4
#   WARMUP=50 ITERATIONS=800 VAL_EVERY=200 models/recipes/crowdcount-centernet.sh): held-out MAE
#   (uncalibrated, scale 0.75) 16.8 / 16.9 / 16.4 / 15.8 at 200 / 400 / 600 / 800, where stages 1 and 2
#   ended at 15.7: more of the same training does not lower it, so no all-400 version of it either.
# Tried on 2026-12-05 (evening, not kept): stage 1's patches (192-384 px) from the shipped file, lr 1e-4,
#   warm-up 50, 600 iterations, 953 s (INIT=models/crowdcount-default.rvm LR=1e-4 WARMUP=50 ITERATIONS=600
#   VAL_EVERY=300 models/recipes/crowdcount-centernet.sh): held-out 14.4 / 14.9 (uncalibrated, 0.75) at
#   300 / 600; choose-input-scale.sh at 0.5833 / 0.6667 / 0.75: SHB held-out 15.28 / 15.47 / 15.53,
#   vtest 1.16 / 0.83 / 0.82, Mall 5.77 / 5.73 / 4.88, against the shipped 15.57 / 0.67 / 5.49 at
#   0.6667: no better on the whole. Its 0.5 / 0.5 weight average with the shipped file (rankvision info
#   --blend), at 0.6667 with its factor refitted (1.0240): 15.46 / 0.71 / 5.57, the shipped file's numbers.
# Tried 2026-12-07 (not kept): steps from the trunk fine-tuning on with VAL=0 (all 400 training images; 82 min):
#   the added 80 images' MAE fell by about 0.1, vtest.avi's check frames went from 0.63 to 1.50 (card, "All 400").
# Usage: models/recipes/crowdcount-centernet-default.sh OUTDIR [RANKVISION_BIN]
# Env: as the stage recipes; SCALE (default 0.6667); FACTOR_V1, FACTOR and FACTOR3 (default: fitted in steps 4,
#   9 and 10); HAZE (default the committed checkpoint; empty: train it from RUNB); T (default 0.8); T3 (0.5);
#   SCALE3 (0.75).
set -euo pipefail
out=${1:?usage: crowdcount-centernet-default.sh OUTDIR [RANKVISION_BIN]}
bin=${2:-build/training/rankvision}
mkdir -p "$out"
[ -e "$out/stage1.rvm" ] || models/recipes/crowdcount-centernet.sh "$bin" "$out/stage1.rvm"
[ -e "$out/stage2.rvm" ] || models/recipes/crowdcount-centernet-stage2.sh "$out/stage1.rvm" "$bin" "$out/stage2.rvm"
"$bin" info "$out/stage1.rvm" --blend "$out/stage2.rvm" --blend-weight 0.5 --out "$out/blend.rvm" > /dev/null
scale=${SCALE:-0.6667}

# fit_factor MODEL NAME [SCALE]: the least-squares count factor at SCALE (default $scale; choose-input-scale.sh)
fit_factor() {
  local at=${3:-$scale}
  models/recipes/choose-input-scale.sh "$1" "$at" "$out/scale-$2" "$bin" | tee "$out/scale-$2.txt" >&2
  awk -v s="$at" '$1 == s {print $2}' "$out/scale-$2.txt"
}

v1_factor=${FACTOR_V1:-$(fit_factor "$out/blend.rvm" v1)}
"$bin" info "$out/blend.rvm" --set-input-scale "$scale" --scale-counts "$v1_factor" --out "$out/v1.rvm" > /dev/null
echo "wrote $out/v1.rvm (input scale $scale, count factor $v1_factor)"

haze=${HAZE-models/checkpoints/crowdcount-centernet-haze.rvm}
if [ -z "$haze" ]; then
  haze=$out/haze.rvm
  [ -e "$haze" ] || INIT=${RUNB:-models/checkpoints/crowdcount-centernet-jitter.rvm} \
    models/recipes/crowdcount-centernet-haze.sh "$bin" "$haze"
fi
"$bin" info "$out/v1.rvm" --blend "$haze" --blend-weight "${T:-0.8}" --out "$out/average.rvm" > /dev/null
[ -e "$out/decoder.rvm" ] || INIT="$out/average.rvm" models/recipes/crowdcount-centernet-haze.sh "$bin" "$out/decoder.rvm"
factor=${FACTOR:-$(fit_factor "$out/decoder.rvm" v2)}
"$bin" info "$out/decoder.rvm" --set-input-scale "$scale" --scale-counts "$factor" --out "$out/v2.rvm" > /dev/null
echo "wrote $out/v2.rvm (input scale $scale, count factor $factor)"

# v3 (step 10): the even average of v2 and haze, at input scale 0.75 with its own count factor.
"$bin" info "$out/v2.rvm" --blend "$haze" --blend-weight "${T3:-0.5}" --out "$out/v3-average.rvm" > /dev/null
scale3=${SCALE3:-0.75}
factor3=${FACTOR3:-$(fit_factor "$out/v3-average.rvm" v3 "$scale3")}
"$bin" info "$out/v3-average.rvm" --set-input-scale "$scale3" --scale-counts "$factor3" \
  --out "$out/crowdcount-default.rvm" > /dev/null
echo "wrote $out/crowdcount-default.rvm (input scale $scale3, count factor $factor3)"
