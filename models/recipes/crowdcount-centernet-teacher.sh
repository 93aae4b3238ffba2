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
