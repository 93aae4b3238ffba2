#!/usr/bin/env bash
# Fig. 7 (active learning) with a pretrained counting network: every cycle trains a
# fresh model from the pretrained trunk (warm-up then cosine, trunk lr x0.1, the early
# trunk layers fixed) on the labelled part of the ShanghaiTech B train pool, grown from
# 10 % by 10 % per cycle either by lowest ranking certainty C (Eq. 15) or at random; MAE
# on 80 held-out images. Repeated for several seeds (each seed also draws its own test
# split and start set); writes OUTDIR/fig7-seedN.{csv,png} and OUTDIR/fig7-ARCH.csv with
# mean and sd per labelled fraction. A seed whose CSV exists is not run again, so an
# interrupted run continues where it stopped.
# ARCH picks the network and its preset, the settings of its counting recipe:
#   posenet_mnv1 (default; the PoseNet model): models/pretrained/posenet, images at 0.5,
#     224-px patches, 5 layers fixed, 200 iterations per cycle;
#   centernet_mnv3 (the default model's network): models/pretrained/centernet, images at
#     0.75, 192-384-px patches resized to 256, 10 layers fixed, sigma 15 px of the original
#     image as its recipe, 300 iterations per cycle.
# Usage: scripts/paper/fig7-posenet.sh [RANKVISION_BIN] [OUTDIR]
# Env: ARCH, RANKVISION_DATA (default ../shared/data), SEEDS (default "1 2 3"), CYCLES
#      (default 3), ITERATIONS per cycle (default: the preset's), PAIRS for C (default 30;
#      the paper: 100), THREADS (default 2), DEVICE (default cpu).
set -euo pipefail
bin=${1:-build/training/rankvision}
arch=${ARCH:-posenet_mnv1}
name=${arch%%_*}  # posenet | centernet: names the default OUTDIR and the summary CSV
data=${RANKVISION_DATA:-../shared/data}
case "$arch" in
  posenet_mnv1)
    its=${ITERATIONS:-200}
    net=(--init models/pretrained/posenet/posenet.json --freeze-trunk 5 --scale 0.5
         --patch 224 --patch-min 224 --patch-max 224 --sigma 7.5) ;;
  centernet_mnv3)
    its=${ITERATIONS:-300}
    net=(--init models/pretrained/centernet/centernet.json --freeze-trunk 10 --scale 0.75
         --patch 256 --patch-min 192 --patch-max 384 --sigma 11.25) ;;
  *) echo "fig7-posenet.sh: ARCH=$arch: use posenet_mnv1 or centernet_mnv3" >&2; exit 2 ;;
esac
dir=${2:-runs/paper/fig7-$name}
mkdir -p "$dir"
for seed in ${SEEDS:-1 2 3}; do
  [ -s "$dir/fig7-seed$seed.csv" ] && continue
  "$bin" active-sim --shanghaitech "$data/shanghaitech/part_B/train_data" --test 80 \
    --start 0.1 --step 0.1 --cycles "${CYCLES:-3}" --iterations "$its" \
    --arch "$arch" "${net[@]}" --trunk-lr-mult 0.1 \
    --warmup $((its / 10)) --lr-schedule cosine --lr 1e-3 --background 0.1 --crop 224 --batch 8 \
    --pairs "${PAIRS:-30}" --seed "$seed" --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" \
    --out "$dir/fig7-seed$seed" | tail -n 1
done
/usr/bin/python3 - "$dir" "$name" ${SEEDS:-1 2 3} <<'PY'
import csv, statistics, sys
d, name, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
for s in seeds:
    for r in csv.DictReader(open(f"{d}/fig7-seed{s}.csv")):
        rows.setdefault(r["labelled"], []).append((float(r["mae_certainty"]), float(r["mae_random"])))
with open(f"{d}/fig7-{name}.csv", "w") as f:
    f.write("labelled,n_seeds,certainty_mean,certainty_sd,random_mean,random_sd\n")
    for lab, v in rows.items():
        c, r = [x[0] for x in v], [x[1] for x in v]
        sd = lambda a: statistics.stdev(a) if len(a) > 1 else 0.0
        line = f"{lab},{len(v)},{statistics.mean(c):.2f},{sd(c):.2f},{statistics.mean(r):.2f},{sd(r):.2f}"
        f.write(line + "\n"); print(line)
PY
