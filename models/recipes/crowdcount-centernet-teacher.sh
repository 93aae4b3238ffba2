#!/usr/bin/env bash
# A ShanghaiTech B fine-tuning (INIT, by default the Euclidean colour-jitter run B of
# crowdcount-centernet-jitter.sh, which counts ShanghaiTech B best but spread its density off vtest.avi's
# people) that lets more of the trunk learn (the trunk recipe's settings: the first 4 convolutions
# fixed, trunk lr x0.3, 160-448-px patches at input scale 0.75 resized to 256, 10 % background, batch
# 16, 80 images held out with --seed 1; colour jitter 0.3; Adam lr 1e-4, warm-up 30, cosine, 400
# iterations) while the default model is the teacher on scenes without labels: each iteration adds
# TEACHER_BATCH patches of MOT17-mini's 12 street frames (each folder given 8 times) and of up to 150
# LIVE Challenge images, whose density targets are the default's own maps (train-count --teacher).
# Every earlier trunk fine-tuning counted ShanghaiTech B better but moved vtest.avi's density off the
# walking people (models/crowdcount-default.md); the teacher patches hold it where the default has it.
# No vtest.avi or Mall frames are used.
# Then models/recipes/choose-input-scale.sh OUT 0.6667 DIR for the count factor.
# Run on 2026-12-06 (evening), two ways; NEITHER is the default:
#   full teacher (as below; 885 s on 2 cores; log models/crowdcount-centernet-teacher.log.jsonl):
#     held-out MAE during training (uncalibrated, scale 0.75): 15.6 / 16.2 / 15.9 / 14.6 at 100 ... 400
#     (INIT itself: 12.3): the teacher pulls the ShanghaiTech B counts back to the default's;
#   --teacher-floor 0.02 (the teacher's loss only where it sees nobody within 2 cells; 1739 s, half of it
#     beside other work; log models/crowdcount-centernet-teacher-floor.log.jsonl): 12.8 / 17.9 / 14.2 / 13.4.
#   choose-input-scale.sh at 0.6667 (MAE / correlation), and where vtest.avi's density lies (share inside
#   the grown motion boxes of frames 0-399, every 2nd frame: models/recipes/vtest-in-boxes.sh MODEL 0.6667):
#     model        k      | SHB held-out 80 | vtest 15 (eye) | Mall 15 (eye) | vtest in_boxes
#     full teacher 0.9857 | 15.84 / 0.963   | 2.60 / 0.905   | 4.64 / 0.909  | 0.52
#     floor 0.02   1.0074 | 15.31 / 0.965   | 1.55 / 0.836   | 6.28 / 0.904  | 0.64
#     INIT (jitter B)     | 14.11 / 0.972   | 0.96 / 0.826   | 3.83 / 0.899  | 0.59
#     the default         | 15.57 / 0.966   | 0.67 / 0.894   | 5.49 / 0.901  | 0.72
#   The default's maps on other street scenes and on LIVE Challenge photos do not carry over to vtest.avi:
#   with the full teacher the density leaves vtest's people even more (0.52), and both runs count
#   ShanghaiTech B worse than INIT. What spreads the density is specific to that camera's scene.
# Tried the same evening instead of a teacher: L2-SP, a pull of the trunk weights towards the default's
#   (INIT=models/crowdcount-default.rvm PATCH_MIN=160 PATCH_MAX=448 LR=2e-4 WARMUP=30 FREEZE=4 TRUNK_LR_MULT=0.3
#   ITERATIONS=400 VAL_EVERY=100 models/recipes/crowdcount-centernet.sh BIN OUT --color-jitter 0.3 --trunk-anchor 0.1;
#   591 s; log models/crowdcount-centernet-l2sp.log.jsonl): held-out 31.2 / 22.3 / 15.8 / 16.0 at 100 ... 400;
#   at 0.6667, k 1.0252: SHB 16.48 / 0.960, vtest 0.80 / 0.864, Mall 8.48 / 0.928, vtest in_boxes 0.69. Worse on
#   ShanghaiTech B and Mall than the default: not kept. (One weight only; 0.1 was a guess.)
# Usage: models/recipes/crowdcount-centernet-teacher.sh [RANKVISION_BIN] [OUT.rvm] [more train-count flags]
set -euo pipefail
data=${RANKVISION_DATA:-../shared/data}
mot=()
for seq in MOT17-02-FRCNN MOT17-04-FRCNN; do
  for _ in 1 2 3 4 5 6 7 8; do mot+=(--unlabeled-images "$data/mot17_mini/train/$seq/img1"); done
done
INIT=${INIT:-models/checkpoints/crowdcount-centernet-jitter.rvm} PATCH_MIN=160 PATCH_MAX=448 LR=${LR:-1e-4} \
  WARMUP=${WARMUP:-30} FREEZE=4 TRUNK_LR_MULT=0.3 ITERATIONS=${ITERATIONS:-400} VAL_EVERY=${VAL_EVERY:-100} \
  exec "$(dirname "$0")/crowdcount-centernet.sh" "${1:-build/training/rankvision}" "${2:-runs/centernet-teacher.rvm}" \
  --color-jitter 0.3 --teacher "${TEACHER:-models/crowdcount-default.rvm}" --teacher-batch "${TEACHER_BATCH:-8}" \
  "${mot[@]}" --unlabeled-images "$data/livec/images" --unlabeled-max 150 "${@:3}"
