#!/usr/bin/env bash
# A fine-tuning of the default counting model (models/crowdcount-default.rvm) with the Bayesian loss
# on the head points (--loss bayesian, sigma 8 px of the original image, no background class:
# --bayes-background 0) instead of the Euclidean loss on Gaussian density maps; otherwise stage 1's
# settings (192-384-px patches at input scale 0.75 resized to 256, 10 % background patches, batch 16,
# the first 10 convolutions fixed, trunk lr x0.1), Adam lr 1e-4, warm-up 50, cosine, 600 iterations,
# 80 images held out with --seed 1.
# Run on 2026-12-05 (906 s on 2 cores; log models/crowdcount-centernet-bayes.log.jsonl). NOT the default.
#   held-out MAE during training (uncalibrated, scale 0.75): 19.3 / 19.9 / 19.0 at 200 / 400 / 600
#   (it under-counts: the factor fitted below is 1.15);
#   models/recipes/choose-input-scale.sh (MAE / correlation, factor fitted on the 320 training images):
#     scale  k      | SHB held-out 80 | vtest 15 (eye) | Mall 15 (eye)
#     0.6667 1.1531 | 14.71 / 0.968   | 0.59 / 0.873   | 6.48 / 0.900
#     0.75   1.1569 | 14.64 / 0.966   | 1.39 / 0.814   | 6.09 / 0.911
#     (the default at 0.6667: 15.57 / 0.966, 0.67 / 0.894, 5.49 / 0.901)
#   Its 0.5 / 0.5 weight average with the default (rankvision info --blend) at 0.6667, k 1.0768:
#   15.16 / 0.62 / 6.10.
#   The first fine-tuning here that counts ShanghaiTech B better without losing vtest.avi, but Mall's small
#   people at the back lose more than the factor gives back (the goal without adaptation is below 6), so
#   it is not the default. A lead for the next stage: the Bayesian loss and Mall's small people.
# Tried the same day with stage 2's patches (PATCH_MIN=160 PATCH_MAX=448, people shrunk down to 0.57x;
#   843 s): held-out 19.6 / 19.9 / 19.3 (uncalibrated) at 200 / 400 / 600; at 0.6667, k 1.1543: SHB 15.03,
#   vtest 0.58, Mall 6.22. Smaller patches' people do not bring Mall back either.
# Tried the same day with the background class (BAYES_BACKGROUND=0.15, the loss's own default): held-out
#   69.6 / 71.1 / 69.3 (uncalibrated) at 200 / 400 / 600: the background class takes about half of the mass
#   (at 0.6667, k 1.43: SHB 40.62, vtest 5.37, Mall 24.86), as it did for the PoseNet network.
# Tried 2026-12-05 (seventh session) with MOT17-mini's head points added, people at least 25 % visible
#   (scripts/mot-to-points.py SEQ OUT --min-visibility 0.25 for MOT17-02 and -04; each set given 3 times:
#   --extra-points OUT --extra-images SEQ/img1; 928 s): held-out 28.0 / 20.9 / 21.2 (uncalibrated) at
#   200 / 400 / 600; at 0.6667, k 1.168: SHB 14.85, vtest 0.65, Mall 6.62. MOT17's pedestrians do not bring
#   Mall back: uncalibrated, Mall is counted at 0.64 of the eye counts, vtest at 0.86, SHB held-out at 0.86.
# Tried the same evening: 600 more iterations from this recipe's bundle (INIT=that bundle, the same
#   settings; 908 s): held-out 18.2 / 19.6 / 18.6 (uncalibrated); at 0.6667, k 1.153: SHB 14.50 (the 320
#   training images 10.51: it starts to over-fit), vtest 0.84, Mall 7.04. Longer moves further from the
#   other cameras.
# Tried the same evening from the trunk fine-tuning (INIT=models/checkpoints/crowdcount-centernet-trunk.rvm,
#   which alone over-counts vtest.avi by 44 %), 600 iterations each, at 0.6667 with the factor refitted:
#     this recipe as it is (980 s): SHB 14.68 / 0.974, vtest 0.86, Mall 6.07 (k 1.107): the loss takes the
#       trunk bundle's vtest over-count away (its ratio to the eye counts 1.04) but Mall falls to 0.79;
#     JITTER=0.3 (train-count --color-jitter 0.3: saturation, contrast, brightness x U[0.7, 1.3]; 954 s):
#       SHB 14.99, vtest 0.97, Mall **4.25** (k 1.123; ratios: Mall 0.89, vtest 1.07); MOT17-02 / -04
#       (never trained on) MAE 26.7 / 10.8, in_boxes 0.57 / 0.74 (the shipped default: 57.5 / 15.8,
#       0.48 / 0.82). Density on the pedestrians of vtest.avi, a little on the bollards at the right edge;
#       Mall's two women at the lower left of frame 47 still get nothing (runs/ heat maps, not kept);
#     its 0.5 / 0.5 weight average with the shipped default: SHB 15.82, vtest 0.87, Mall 4.47.
#     JITTER=0.5 (1056 s): SHB 15.27, vtest 0.91, Mall 3.78 (k 1.127): more jitter, Mall better and SHB a
#       little worse (jitter 0 / 0.3 / 0.5: Mall 6.07 / 4.25 / 3.78, SHB 14.68 / 14.99 / 15.27);
#     0.5 / 0.5 weight average of the 0.3 and 0.5 runs: SHB 15.11, vtest 0.94, Mall 3.97.
#     JITTER=0.4 (936 s): SHB 15.18, vtest 0.91, Mall 4.01 (k 1.124): the trend holds over four doses
#       (0 / 0.3 / 0.4 / 0.5: Mall 6.07 / 4.25 / 4.01 / 3.78; SHB 14.68 / 14.99 / 15.18 / 15.27).
#   The 0.3 run, with input scale 0.6667 and its factor set (rankvision info B --set-input-scale 0.6667
#   --scale-counts 1.1229), is models/checkpoints/crowdcount-centernet-bayes-jitter.rvm (log
#   models/crowdcount-centernet-bayes-jitter.log.jsonl): the lead for the default, not shipped yet (vtest
#   0.97 against the default's 0.67, MOT17-04 in_boxes 0.74 against 0.82).
#   From the shipped default with JITTER=0.3 (1070 s, sharing the cores for a while): SHB 15.18, vtest 1.20
#   (it under-counts: 0.80), Mall 6.03. So the jitter's gain on Mall from the trunk bundle is not seen from
#   the default: one 600-iteration run per setting moves vtest by +-0.3 and Mall by +-1 with small changes.
# Usage: models/recipes/crowdcount-centernet-bayes.sh [RANKVISION_BIN] [OUT] [extra flags...]
# Env: as crowdcount-centernet.sh (INIT defaults here to the shipped default); BAYES_BACKGROUND (default 0);
#      JITTER (train-count --color-jitter; unset: no flag, the command of the runs above).
set -euo pipefail
jitter=()
[ -n "${JITTER:-}" ] && jitter=(--color-jitter "$JITTER")
INIT=${INIT:-models/crowdcount-default.rvm} LR=${LR:-1e-4} WARMUP=${WARMUP:-50} ITERATIONS=${ITERATIONS:-600} \
  VAL_EVERY=${VAL_EVERY:-200} exec "$(dirname "$0")/crowdcount-centernet.sh" "${1:-build/training/rankvision}" \
  "${2:-runs/centernet-bayes.rvm}" --loss bayesian --bayes-background "${BAYES_BACKGROUND:-0}" "${jitter[@]}" "${@:3}"
