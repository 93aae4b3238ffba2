#!/usr/bin/env bash
# Where a counting model puts its density on vtest.avi, label-free: the share of the density inside
# the boxes round what moves (rankvision motion-boxes on frames 0-399, against their temporal median),
# each grown by a quarter on every side (eval-count --mot-gt), every STEP-th frame. Even density over
# the frame would score about 0.08; the default model scores 0.72 at 0.6667 (2026-12-06).
# Usage: models/recipes/vtest-in-boxes.sh MODEL [SCALE (default: the bundle's)] [STEP (2)] [RANKVISION_BIN]
set -euo pipefail
model=${1:?model}; scale=${2:-}; step=${3:-2}; bin=${4:-build/training/rankvision}
vtest=${VTEST:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
boxes=$(mktemp --suffix .txt); trap 'rm -f "$boxes"' EXIT
"$bin" motion-boxes --video "$vtest" --out "$boxes" --frames 0:400 > /dev/null
"$bin" eval-count --model "$model" ${scale:+--input-scale "$scale"} --video "$vtest" --mot-gt "$boxes" \
  --frames "0:400:$step" --quiet | tail -1 |
  /usr/bin/python3 -c 'import json, sys; print("in_boxes", json.loads(sys.stdin.read())["in_boxes"])'
