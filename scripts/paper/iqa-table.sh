#!/usr/bin/env bash
# IQA like Table 1 of the paper, in spirit, on our LIVE-C validation split (100
# of the 418 images held out, the same seeded split for every arm): a compact
# VGG16 (width 0.125, batch norm, 160-px crops) trained from scratch three ways.
#   regression      scores only (stage 2 alone)
#   rank+finetune   RANK_ITERS ranking iterations on the 17 TID2013 distortions of
#                   unlabelled photos, then ITERATIONS score iterations
#   multitask       ITERATIONS iterations of L_reg + lambda L_rank from scratch
# Then, for each model, the within-image ranking accuracy of distortion levels
# on images none of them saw (the 12 MOT17-mini frames).
# Usage: scripts/paper/iqa-table.sh [RANKVISION_BIN] [OUTDIR]
# Env: RANKVISION_DATA (default ../shared/data), ITERATIONS (default 1000),
#      RANK_ITERS (default 1000), THREADS (default 1), ARMS (default all three).
set -euo pipefail
bin=${1:-build/training/rankvision}
dir=${2:-runs/paper/iqa}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-1000}
rank_its=${RANK_ITERS:-1000}
arms=${ARMS:-regression rank+finetune multitask}
mkdir -p "$dir"
unlabelled=(--images "$data/shanghaitech/part_A/train_data/images" --images "$data/shanghaitech/part_B/train_data/images"
            --images /usr/share/doc/opencv-doc/examples/data --distortions tid2013)
common=(--scores "$data/livec/scores.csv" --score-images "$data/livec/images" --val 100 --val-crops 5
        --width 0.125 --batch-norm --crop 160 --batch 16 --rank-sources 2 --rank-types 2
        --optimizer adam --lr 3e-4 --lr-step $((its * 2 / 3)) --seed 1 --threads "${THREADS:-1}" --checkpoint-every 100)
for arm in $arms; do
  echo "== $arm" >&2
  case $arm in
    regression) flags=(--mode finetune --rank-iterations 0 --iterations "$its") ;;
    rank+finetune) flags=("${unlabelled[@]}" --mode finetune --rank-iterations "$rank_its" --iterations "$its") ;;
    multitask) flags=("${unlabelled[@]}" --mode multitask --lambda "${LAMBDA:-1}" --rank-iterations 0 --iterations "$its") ;;
    *) echo "unknown arm '$arm'" >&2; exit 2 ;;
  esac
  "$bin" train-iqa "${common[@]}" "${flags[@]}" --out "$dir/$arm.rvm" < /dev/null | tail -n 1 > "$dir/$arm.json"
  cat "$dir/$arm.json" >&2
  "$bin" eval-iqa --model "$dir/$arm.rvm" --images "$data/mot17_mini/train/MOT17-02-FRCNN/img1" --ranking-accuracy \
    --crop 160 --ladder-crops 3 --threads "${THREADS:-1}" | tail -n 1 > "$dir/$arm.rankacc-02.json"
  "$bin" eval-iqa --model "$dir/$arm.rvm" --images "$data/mot17_mini/train/MOT17-04-FRCNN/img1" --ranking-accuracy \
    --crop 160 --ladder-crops 3 --threads "${THREADS:-1}" | tail -n 1 > "$dir/$arm.rankacc-04.json"
done
/usr/bin/python3 - "$dir" $arms <<'PY'
import json, os, sys
d = sys.argv[1]
rows = ["| arm | val SROCC | val PLCC | ranking accuracy (unseen MOT17 frames) | seconds |", "|---|---|---|---|---|"]
for arm in sys.argv[2:]:
    s = json.load(open(os.path.join(d, arm + ".json")))
    acc = [json.load(open(os.path.join(d, "%s.rankacc-%s.json" % (arm, q)))) for q in ("02", "04")]
    n = sum(a["ranking_pairs"] for a in acc)
    ra = sum(a["ranking_accuracy"] * a["ranking_pairs"] for a in acc) / n
    rows.append(f"| {arm} | {s['val_srocc']:.3f} | {s['val_plcc']:.3f} | {ra:.3f} ({n} pairs) | {s['seconds']:.0f} |")
out = "\n".join(rows) + "\n"
open(os.path.join(d, "iqa-table.md"), "w").write(out)
print(out)
PY
