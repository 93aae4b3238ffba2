#!/usr/bin/env bash
# Recipe of models/iqa-default.rvm (see models/iqa-default.md, since 2026-12-05):
# the regression arm of models/recipes/iqa-posenet.sh on CenterNet's pretrained
# MobileNetV3 trunk (ARCH=centernet_mnv3), 600 iterations, trained on all 418
# LIVE-C images (VAL=0). The same recipe with VAL=100 (seed 1) is what the card's
# held-out numbers measure.
# Usage: models/recipes/iqa-default.sh [RANKVISION_BIN] [OUT] [extra train-iqa flags]
# Env: as iqa-posenet.sh (VAL, SEED, THREADS, ...). Run from the repository root.
set -euo pipefail
ARCH=centernet_mnv3 ARM=regression ITERATIONS=${ITERATIONS:-600} VAL=${VAL:-0} \
  exec "$(dirname "$0")/iqa-posenet.sh" "${1:-build/training/rankvision}" "${2:-models/iqa-default.rvm}" "${@:3}"
