#!/usr/bin/env bash
# Active learning like Fig. 7 of the paper: ShanghaiTech B train images as the
# pool (80 held out for the MAE), start from 10% labelled and add 10% per cycle,
# picked by lowest ranking certainty C (Eq. 15) or at random; each cycle trains
# a fresh compact model. Writes OUTDIR/fig7.csv and OUTDIR/fig7.png.
# Usage: scripts/paper/fig7-active.sh [RANKVISION_BIN] [OUTDIR]
# Env: RANKVISION_DATA (default ../shared/data), CYCLES (default 5),
#      ITERATIONS per cycle (default 500; the
#      learning rate drops 10x after 2/3 of them, as in table5-ablation.sh), THREADS (default 1),
#      DEVICE (default cpu; cuda for a GPU), PAIRS for C (default 30; the paper: 100).
set -euo pipefail
bin=${1:-build/training/rankvision}
dir=${2:-runs/paper/fig7}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-500}
mkdir -p "$dir"
"$bin" active-sim --shanghaitech "$data/shanghaitech/part_B/train_data" --test 80 \
  --start 0.1 --step 0.1 --cycles "${CYCLES:-5}" --iterations "$its" --lr-step $((its * 2 / 3)) \
  --scale 0.375 --patch 128 --patch-min 48 --patch-max 256 --sigma 6 --crop 128 \
  --width 0.25 --batch-norm --lr 3e-4 --pairs "${PAIRS:-30}" --seed 1 --threads "${THREADS:-1}" --device "${DEVICE:-cpu}" \
  --out "$dir/fig7"
