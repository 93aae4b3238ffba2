#!/usr/bin/env bash
# Table 1 in spirit with the PoseNet trunk: the three arms of
# models/recipes/iqa-posenet.sh (regression, rank+finetune, multitask), SEEDS
# seeds each (each seed is also its own 100-image LIVE-C validation split),
# then the within-image ranking accuracy of TID2013 distortion levels on frames
# no model saw (the 12 MOT17-mini frames, 3 crops each). Mean ± sd per arm.
# Usage: scripts/paper/iqa-posenet.sh [RANKVISION_BIN] [OUTDIR]
# Env: as the recipe (ITERATIONS, RANK_ITERS, THREADS, RANKVISION_DATA), plus
#      SEEDS (default "1 2 3"), ARMS (default all three). Finished runs are kept
#      (OUTDIR/ARM-sSEED.json), so an interrupted table continues where it stopped.
set -euo pipefail
bin=${1:-build/training/rankvision}
dir=${2:-runs/paper/iqa-posenet}
data=${RANKVISION_DATA:-../shared/data}
seeds=${SEEDS:-1 2 3}
arms=${ARMS:-regression rank+finetune multitask}
mkdir -p "$dir"
for arm in $arms; do
  for seed in $seeds; do
    run="$dir/$arm-s$seed"
    if [ ! -s "$run.json" ]; then
      echo "== $arm seed $seed" >&2
      ARM=$arm SEED=$seed models/recipes/iqa-posenet.sh "$bin" "$run.rvm" --log "$run.log.jsonl" < /dev/null |
        tail -n 1 > "$run.json.tmp"
      mv "$run.json.tmp" "$run.json"
    fi
    for q in 02 04; do
      [ -s "$run.rankacc-$q.json" ] && continue
      "$bin" eval-iqa --model "$run.rvm" --images "$data/mot17_mini/train/MOT17-$q-FRCNN/img1" --ranking-accuracy \
        --crop 224 --ladder-crops 3 --threads "${THREADS:-2}" | tail -n 1 > "$run.rankacc-$q.json"
    done
  done
done
/usr/bin/python3 - "$dir" "$seeds" $arms <<'PY'
import json, os, statistics, sys
d, seeds, arms = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
def ms(v):
    return f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else f"{v[0]:.3f}"
rows = [f"| arm | val SROCC | val PLCC | ranking accuracy (unseen MOT17 frames) | seeds |", "|---|---|---|---|---|"]
for arm in arms:
    sr, pl, ra = [], [], []
    for s in seeds:
        r = json.load(open(os.path.join(d, f"{arm}-s{s}.json")))
        acc = [json.load(open(os.path.join(d, f"{arm}-s{s}.rankacc-{q}.json"))) for q in ("02", "04")]
        n = sum(a["ranking_pairs"] for a in acc)
        sr.append(r["val_srocc"]); pl.append(r["val_plcc"])
        ra.append(sum(a["ranking_accuracy"] * a["ranking_pairs"] for a in acc) / n)
    rows.append(f"| {arm} | {ms(sr)} | {ms(pl)} | {ms(ra)} | {' '.join(seeds)} |")
out = "\n".join(rows) + "\n"
open(os.path.join(d, "table.md"), "w").write(out)
print(out)
PY
