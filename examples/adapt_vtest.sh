#!/usr/bin/env bash
# Per-camera adaptation on real footage, end to end, as a user would run it:
#
#   examples/adapt_vtest.sh [OUT_MODEL]      (default out/vtest-adapted.rvm)
#
# 1. `rankvision select` ranks frames 0-399 of OpenCV's vtest.avi by the ranking
#    certainty C (Eq. 15) of the default model and lists the least certain ones
#    (out/vtest-select.csv): those are the frames worth labelling.
# 2. Their people were counted by eye once and committed as the camera's labels:
#    examples/vtest-frame-counts.csv (frame,count).
# 3. A crowdcount pipeline starts playing vtest.avi with the default model
#    (examples/hot_swap.py, in the background), while
# 4. `rankvision adapt` on frames 0-399 only. The shipped recipe (VTEST_MODE=peaks,
#    the default): a model that counts the person peaks of CenterNet's detector
#    (`rankvision info --peaks-from`), whose peak thresholds and input scale adapt
#    fits to the counted frames (no training). VTEST_MODE=density: fine-tune the
#    default model's density head (trunk fixed) with the nested-crop ranking loss
#    on the camera's frames, the frame counts, the temporal median as an empty
#    frame, the background of 12 frames as count 0 and ShanghaiTech B patches
#    against drift. Both report C (Eq. 15) before and after
#    (examples/vtest_recipe.sh holds the settings and what else was tried).
# 5. As soon as the adapted model is written, hot_swap.py sets crowdcount's
#    model-file while the pipeline keeps PLAYING (model-updated message) and
#    prints the counts of both models.
# Frames 400-794 are never used for training or selection.
#
# Env: RANKVISION (CLI binary, default build/training/rankvision), BUILD (build
# dir with the plugin, default build), RANKVISION_DATA (default ../shared/data),
# ITERATIONS (VTEST_MODE=density: default the recipe's vtest_iterations, 200), THREADS (default 2), NO_SWAP=1
# (adapt only), VTEST_MODE (peaks, the default and the shipped example's recipe, or density), VTEST_BASE (the
# density recipe's base model, default models/crowdcount-default.rvm; also the model the pipeline starts with).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_model=${1:-out/vtest-adapted.rvm}
bin=${RANKVISION:-build/training/rankvision}
build=${BUILD:-build}
data=${RANKVISION_DATA:-../shared/data}
source examples/vtest_recipe.sh
labels=examples/vtest-frame-counts.csv
for f in "$bin" "$video" "$base" "$labels"; do
  [ -e "$f" ] || { echo "adapt_vtest: $f is missing" >&2; exit 1; }
done
[ "$vtest_mode" = peaks ] || [ -d "$data/shanghaitech/part_B/train_data" ] || {
  echo "adapt_vtest: $data/shanghaitech/part_B/train_data is missing (set RANKVISION_DATA)" >&2; exit 1; }
mkdir -p "$(dirname "$out_model")" out

echo "== 1. frames to label first (least ranking certainty among frames 0-399)"
"$bin" select --model "$base" --video "$video" --frames 0:400:4 --budget 12 --crop 128 --pairs 100 \
  --threads "${THREADS:-2}" --out out/vtest-select.csv | tail -n 1
echo "   labels counted by eye for these frames: $labels"

swap_pid=
if [ -z "${NO_SWAP:-}" ]; then
  echo "== 3. crowdcount playing vtest.avi with the default model; the adapted one will be swapped in"
  export GST_PLUGIN_PATH="$root/$build/gst-plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
  rm -f "$out_model"
  /usr/bin/python3 examples/hot_swap.py "$video" "$base" "$out_model" --inference-interval 10 \
    --seconds-after 15 > out/vtest-hot-swap.log 2>&1 &
  swap_pid=$!
fi

echo "== 4. rankvision adapt (frames 0-399 only)"
start=$(date +%s)
if [ "$vtest_mode" = peaks ]; then
  "$bin" info --peaks-from "$vtest_peaks_graph" --out out/vtest-peaks-base.rvm > /dev/null
  "$bin" adapt --model out/vtest-peaks-base.rvm "${vtest_peaks_flags[@]}" --frame-counts "$labels" \
    --threads "${THREADS:-2}" --out "$out_model" | tail -n 1 | tee out/vtest-adapt.json
else
  "$bin" adapt "${vtest_adapt_flags[@]}" --frame-counts "$labels" --iterations "${ITERATIONS:-$vtest_iterations}" \
    "${vtest_scale_flags[@]}" --frame-weight "$vtest_frame_weight" --threads "${THREADS:-2}" \
    --log out/vtest-adapt.log.jsonl --out "$out_model" | tail -n 1 | tee out/vtest-adapt.json
fi
echo "   adaptation took $(( $(date +%s) - start )) s"

if [ -n "$swap_pid" ]; then
  echo "== 5. hot swap"
  wait "$swap_pid" || { echo "adapt_vtest: the hot swap failed:" >&2; cat out/vtest-hot-swap.log >&2; exit 1; }
  grep -E "model-updated|written" out/vtest-hot-swap.log
  tail -n 4 out/vtest-hot-swap.log
fi
echo "adapted model: $out_model (C before/after and the input scale are in out/vtest-adapt.json)"
