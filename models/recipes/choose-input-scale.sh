#!/usr/bin/env bash
# Chooses the default counting model's input scale and count factor, on development
# data only, and prints one table row per scale:
#   - the least-squares count factor k, fitted on the ShanghaiTech B train images that
#     train-count used for training (all but the 80 `--val 80 --seed 1` held out);
#   - with k applied: MAE on those training images, on the 80 held-out images, on the same 80
#     mirrored left to right (eval-count --mirror), on the
#     15 vtest.avi frames of 0-399 counted by eye (examples/vtest-*-counts.csv) and on
#     the 15 Mall frames counted by eye (examples/mall-*-counts.csv);
#   - the Pearson correlation of predicted and true counts on each set.
# Why the mirrored held-out column (2026-12-07): after many choices made on the 80 held-out images, every
# model of the default's line counted their mirror images worse (v2: 14.62 plain, 16.65 mirrored), while on
# the 320 training images mirroring changed nothing (11.01 / 11.02). The choices fitted the 80 as they are;
# the mirrored set is a look they were not made on, and the mean of both (the last column) a fairer estimate.
# Usage: models/recipes/choose-input-scale.sh MODEL "SCALES" OUTDIR [RANKVISION_BIN]
# Env: RANKVISION_DATA (default ../shared/data).
set -euo pipefail
model=${1:?model}; scales=${2:?scales, e.g. "0.5 0.625 0.75"}; out=${3:?output folder}
bin=${4:-build/training/rankvision}
data=${RANKVISION_DATA:-../shared/data}
shb=$data/shanghaitech/part_B/train_data
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
mkdir -p "$out"
cat examples/vtest-frame-counts.csv <(grep -v '^#' examples/vtest-holdout-counts.csv | tail -n +2) > "$out/vtest-counts.csv"
cat examples/mall-frame-counts.csv <(grep -v '^#' examples/mall-eye-counts.csv | tail -n +2) > "$out/mall-counts.csv"
for s in $scales; do
  "$bin" eval-count --model "$model" --input-scale "$s" --shanghaitech "$shb" --quiet --csv "$out/shb-all-$s.csv" > /dev/null
  "$bin" eval-count --model "$model" --input-scale "$s" --shanghaitech "$shb" --holdout 80 --seed 1 --mirror --quiet \
    --csv "$out/shb-mirrored-$s.csv" > /dev/null
  "$bin" eval-count --model "$model" --input-scale "$s" --video "$vtest" --frame-counts "$out/vtest-counts.csv" \
    --quiet --csv "$out/vtest-$s.csv" > /dev/null
  "$bin" eval-count --model "$model" --input-scale "$s" --video "$data/mall/frames" \
    --frame-counts "$out/mall-counts.csv" --quiet --csv "$out/mall-$s.csv" > /dev/null
done
/usr/bin/python3 - "$out" $scales <<'PY'
import csv, sys
import numpy as np
out, scales = sys.argv[1], sys.argv[2:]
def load(path):
    rows = list(csv.DictReader(open(path)))
    key = 'name' if 'name' in rows[0] else next(iter(rows[0]))
    return {r[key]: (float(r['truth']), float(r['predicted'])) for r in rows}
print('scale  k      | MAE/corr: SHB train      SHB held-out 80    held-out mirrored  vtest 15 (eye)    Mall 15 (eye)   | held-out mean')
for s in scales:
    # The held-out images are those of the mirrored run (--holdout 80 --seed 1); their plain counts are in
    # the all-400 run, so the 80 are not counted twice.
    allr, mirrored = load(f'{out}/shb-all-{s}.csv'), load(f'{out}/shb-mirrored-{s}.csv')
    held = {n: allr[n] for n in mirrored}
    train = {n: v for n, v in allr.items() if n not in held}
    t = np.array([v[0] for v in train.values()]); p = np.array([v[1] for v in train.values()])
    k = float(t @ p / (p @ p))
    cells, maes = [], []
    for d in (train, held, mirrored, load(f'{out}/vtest-{s}.csv'), load(f'{out}/mall-{s}.csv')):
        t = np.array([v[0] for v in d.values()]); p = k * np.array([v[1] for v in d.values()])
        maes.append(np.abs(p - t).mean())
        cells.append(f'{maes[-1]:6.2f} / {np.corrcoef(t, p)[0, 1]:.3f}')
    print(f'{s:6} {k:.4f} | ' + '   '.join(cells) + f'   | {(maes[1] + maes[2]) / 2:6.2f}')
PY
