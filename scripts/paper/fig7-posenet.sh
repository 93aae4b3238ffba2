#!/usr/bin/env bash
# Fig. 7 (active learning) with the default model's network: every cycle trains a
# fresh PoseNet-trunk counting model (models/pretrained/posenet, the first 5 trunk
# layers fixed, trunk lr x0.1, warm-up then cosine) on the labelled part of the
# ShanghaiTech B train pool, grown from 10 % by 10 % per cycle either by lowest
# ranking certainty C (Eq. 15) or at random; MAE on 80 held-out images. Repeated
# for several seeds (each seed also draws its own test split and start set);
# writes OUTDIR/fig7-seedN.{csv,png} and OUTDIR/fig7-posenet.csv with mean and sd
# per labelled fraction.
# Usage: scripts/paper/fig7-posenet.sh [RANKVISION_BIN] [OUTDIR]
# Env: RANKVISION_DATA (default ../shared/data), SEEDS (default "1 2 3"), CYCLES
#      (default 3), ITERATIONS per cycle (default 200), PAIRS for C (default 30; the
#      paper: 100), THREADS (default 2), DEVICE (default cpu).
set -euo pipefail
bin=${1:-build/training/rankvision}
dir=${2:-runs/paper/fig7-posenet}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-200}
mkdir -p "$dir"
for seed in ${SEEDS:-1 2 3}; do
  "$bin" active-sim --shanghaitech "$data/shanghaitech/part_B/train_data" --test 80 \
    --start 0.1 --step 0.1 --cycles "${CYCLES:-3}" --iterations "$its" \
    --arch posenet_mnv1 --init models/pretrained/posenet/posenet.json --freeze-trunk 5 --trunk-lr-mult 0.1 \
    --warmup $((its / 10)) --lr-schedule cosine --lr 1e-3 --background 0.1 \
    --scale 0.5 --patch 224 --patch-min 224 --patch-max 224 --sigma 7.5 --crop 224 --batch 8 \
    --pairs "${PAIRS:-30}" --seed "$seed" --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" \
    --out "$dir/fig7-seed$seed" | tail -n 1
done
/usr/bin/python3 - "$dir" ${SEEDS:-1 2 3} <<'PY'
import csv, statistics, sys
d, seeds = sys.argv[1], sys.argv[2:]
rows = {}
for s in seeds:
    for r in csv.DictReader(open(f"{d}/fig7-seed{s}.csv")):
        rows.setdefault(r["labelled"], []).append((float(r["mae_certainty"]), float(r["mae_random"])))
with open(f"{d}/fig7-posenet.csv", "w") as f:
    f.write("labelled,n_seeds,certainty_mean,certainty_sd,random_mean,random_sd\n")
    for lab, v in rows.items():
        c, r = [x[0] for x in v], [x[1] for x in v]
        sd = lambda a: statistics.stdev(a) if len(a) > 1 else 0.0
        line = f"{lab},{len(v)},{statistics.mean(c):.2f},{sd(c):.2f},{statistics.mean(r):.2f},{sd(r):.2f}"
        f.write(line + "\n"); print(line)
PY
