#!/usr/bin/env bash
# Table 5 of the paper, on our ShanghaiTech B validation split (80 train images
# held out, the same seeded split as models/crowdcount-default.rvm): the same
# budget of ITERATIONS training iterations for every arm, from scratch.
#   baseline        labelled loss only (--no-rank)
#   rank+finetune   ranking only on unlabelled images for half the budget, then
#                   labelled loss only for the other half (--init)
#   mt-random       multi-task, random pairs
#   mt-hard         multi-task, hard pairs
#   mt-efficient    multi-task, all pairs in one forward pass per image
# Usage: scripts/paper/table5-ablation.sh [RANKVISION_BIN] [OUTDIR]
# Env: RANKVISION_DATA (default ../shared/data), ITERATIONS (default 500),
#      THREADS (default 1), ARMS (default: all five, space separated).
# Writes OUTDIR/<arm>.json (the CLI summary) and OUTDIR/table5.md.
set -euo pipefail
bin=${1:-build/training/rankvision}
dir=${2:-runs/paper/table5}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-500}
half=$((its / 2))
arms=${ARMS:-baseline rank+finetune mt-random mt-hard mt-efficient}
mkdir -p "$dir"
B="$data/shanghaitech/part_B/train_data"
A="$data/shanghaitech/part_A/train_data/images"
common=(--width 0.25 --batch-norm --input-scale 0.375 --input-size 128 --batch 8 --rank-sets 2 --rank-k 5
        --lambda "${LAMBDA:-50}" --optimiser adam --lr 3e-4 --seed 1 --threads "${THREADS:-1}" --quiet)
labelled=(--shanghaitech "$B" --val 80)
run() {  # arm, flags...
  local arm=$1; shift
  echo "== $arm" >&2
  "$bin" train-count "${common[@]}" "$@" --log "$dir/$arm.log.jsonl" --out "$dir/$arm.rvm" | tail -n 1 > "$dir/$arm.json"
  cat "$dir/$arm.json" >&2
}
for arm in $arms; do
  case $arm in
    baseline) run baseline "${labelled[@]}" --no-rank --iterations "$its" --lr-step $((its * 2 / 3)) ;;
    rank+finetune)
      run rank-pretrain --unlabeled-images "$A" --iterations "$half" --lr-step 0
      run rank+finetune "${labelled[@]}" --no-rank --init "$dir/rank-pretrain.rvm" --iterations $((its - half)) \
        --lr-step $(((its - half) * 2 / 3)) ;;
    mt-random|mt-hard|mt-efficient)
      run "$arm" "${labelled[@]}" --unlabeled-images "$A" --pairs "${arm#mt-}" --iterations "$its" \
        --lr-step $((its * 2 / 3)) ;;
    *) echo "unknown arm '$arm'" >&2; exit 2 ;;
  esac
done
/usr/bin/python3 - "$dir" $arms <<'PY'
import json, sys, os
d = sys.argv[1]
rows = ["| arm | val MAE | val MSE (root) | seconds |", "|---|---|---|---|"]
for arm in sys.argv[2:]:
    with open(os.path.join(d, arm + ".json")) as f:
        s = json.load(f)
    secs = s["seconds"]
    if arm == "rank+finetune":
        with open(os.path.join(d, "rank-pretrain.json")) as f:
            secs += json.load(f)["seconds"]
    rows.append(f"| {arm} | {s['val_mae']:.1f} | {s['val_mse']:.1f} | {secs:.0f} |")
out = "\n".join(rows) + "\n"
open(os.path.join(d, "table5.md"), "w").write(out)
print(out)
PY
