#!/usr/bin/env bash
# Table 5 of the paper with the default model's network (issue 11): PoseNet's
# pretrained MobileNetV1 trunk (models/pretrained/posenet, first 5 layers fixed,
# trunk lr x0.1) + the stride-8 decoder, on our ShanghaiTech B validation split
# (80 train images held out; the split is drawn from the seed, so each seed has its
# own split, the same for every arm). The same budget of ITERATIONS iterations for
# every arm:
#   baseline        labelled loss only (--no-rank)
#   rank+finetune   ranking only on unlabelled images for half the budget, then
#                   labelled loss only for the other half (--init)
#   mt-efficient    multi-task, all pairs in one forward pass per image (Eq. 5)
# Unlabelled images: ShanghaiTech A train images, their labels unused.
# ARCH picks the network and its preset (as scripts/paper/fig7-posenet.sh):
#   posenet_mnv1 (default; the PoseNet model): images at 0.5, 224-px patches, 5 layers fixed;
#   centernet_mnv3 (the default model's network since 2026-12-05): models/pretrained/centernet,
#     images at 0.75, 192-384-px patches resized to 256, 10 layers fixed (its counting recipe's settings).
# Usage: scripts/paper/table5-posenet.sh [RANKVISION_BIN] [OUTDIR]
# Env: ARCH, RANKVISION_DATA (default ../shared/data), ITERATIONS (default 300),
#      SEEDS (default "1 2 3"), LAMBDA (default 10: at the start the ranking loss is ~1/60 of the density loss), THREADS (default 2),
#      DEVICE (default cpu), ARMS (default: all three, space separated).
# Writes OUTDIR/<arm>-seed<N>.json (the CLI summary) and OUTDIR/table5-<posenet|centernet>.md
# (mean and sd over the seeds).
set -euo pipefail
bin=${1:-build/training/rankvision}
arch=${ARCH:-posenet_mnv1}
name=${arch%%_*}  # posenet | centernet: names the default OUTDIR and the summary
case "$arch" in
  posenet_mnv1)
    init=(--init models/pretrained/posenet/posenet.json)
    net=(--freeze-trunk 5 --input-scale 0.5 --input-size 224 --patch-min 224 --patch-max 224) ;;
  centernet_mnv3)
    init=(--init models/pretrained/centernet/centernet.json)
    net=(--freeze-trunk 10 --input-scale 0.75 --input-size 256 --patch-min 192 --patch-max 384) ;;
  *) echo "table5-posenet.sh: ARCH=$arch: use posenet_mnv1 or centernet_mnv3" >&2; exit 2 ;;
esac
dir=${2:-runs/paper/table5-$name}
data=${RANKVISION_DATA:-../shared/data}
its=${ITERATIONS:-300}
half=$((its / 2))
seeds=${SEEDS:-1 2 3}
arms=${ARMS:-baseline rank+finetune mt-efficient}
mkdir -p "$dir"
B="$data/shanghaitech/part_B/train_data"
A="$data/shanghaitech/part_A/train_data/images"
common=(--arch "$arch" "${net[@]}" --trunk-lr-mult 0.1 --background 0.1 --batch 8
        --rank-sets 2 --rank-k 5 --lambda "${LAMBDA:-10}" --pairs efficient
        --optimiser adam --lr 1e-3 --weight-decay 1e-4 --lr-schedule cosine
        --threads "${THREADS:-2}" --device "${DEVICE:-cpu}" --quiet)
run() {  # name, seed, flags...
  local name=$1 seed=$2; shift 2
  echo "== $name seed $seed" >&2
  "$bin" train-count "${common[@]}" --seed "$seed" "$@" --log "$dir/$name-seed$seed.log.jsonl" \
    --out "$dir/$name-seed$seed.rvm" | tail -n 1 > "$dir/$name-seed$seed.json"
  cat "$dir/$name-seed$seed.json" >&2
}
for seed in $seeds; do
  for arm in $arms; do
    case $arm in
      baseline) run baseline "$seed" "${init[@]}" --shanghaitech "$B" --val 80 --no-rank \
                  --iterations "$its" --warmup $((its / 10)) ;;
      rank+finetune)
        run rank-pretrain "$seed" "${init[@]}" --unlabeled-images "$A" --iterations "$half" --warmup $((half / 10))
        run rank+finetune "$seed" --init "$dir/rank-pretrain-seed$seed.rvm" --shanghaitech "$B" --val 80 --no-rank \
          --iterations $((its - half)) --warmup $(((its - half) / 10)) ;;
      mt-efficient) run mt-efficient "$seed" "${init[@]}" --shanghaitech "$B" --val 80 --unlabeled-images "$A" \
                      --iterations "$its" --warmup $((its / 10)) ;;
      *) echo "unknown arm '$arm'" >&2; exit 2 ;;
    esac
  done
done
/usr/bin/python3 - "$dir" "$its" "$seeds" "$name" $arms <<'PY'
import json, os, statistics, sys
d, its, seeds, name, arms = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5:]
sd = lambda a: statistics.stdev(a) if len(a) > 1 else 0.0
rows = [f"| arm ({its} iterations, seeds {' '.join(seeds)}) | val MAE mean ± sd | val MSE (root) mean ± sd | per seed MAE | seconds per seed | ranking loss, 2nd half (unweighted) |",
        "|---|---|---|---|---|---|"]
def rank_loss(name, s):  # mean logged ranking loss over the second half of a run
    recs = [json.loads(l) for l in open(os.path.join(d, f"{name}-seed{s}.log.jsonl"))]
    vals = [r["rank_loss"] for r in recs if "rank_loss" in r]
    vals = vals[len(vals) // 2:]
    return sum(vals) / len(vals) if vals else float("nan")
for arm in arms:
    mae, mse, secs = [], [], []
    for s in seeds:
        j = json.load(open(os.path.join(d, f"{arm}-seed{s}.json")))
        mae.append(j["val_mae"]); mse.append(j["val_mse"]); t = j["seconds"]
        if arm == "rank+finetune":
            t += json.load(open(os.path.join(d, f"rank-pretrain-seed{s}.json")))["seconds"]
        secs.append(t)
    rl = {"mt-efficient": "mt-efficient", "rank+finetune": "rank-pretrain"}.get(arm)
    rl = f"{statistics.mean(rank_loss(rl, s) for s in seeds):.4f}" if rl else "—"
    rows.append(f"| {arm} | {statistics.mean(mae):.1f} ± {sd(mae):.1f} | {statistics.mean(mse):.1f} ± {sd(mse):.1f} | "
                f"{' / '.join(f'{m:.1f}' for m in mae)} | {statistics.mean(secs):.0f} | {rl} |")
out = "\n".join(rows) + "\n"
open(os.path.join(d, f"table5-{name}.md"), "w").write(out)
print(out)
PY
