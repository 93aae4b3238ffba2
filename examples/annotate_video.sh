#!/usr/bin/env bash
# Counts people in a video and writes (1) the video with the density heat map
# and the count drawn on it and (2) a CSV with one row per frame.
#
#   examples/annotate_video.sh INPUT OUT_PREFIX [MODEL]
#   → OUT_PREFIX.avi (MJPEG) and OUT_PREFIX.csv (frame,time_s,count,stale,inference_ms)
#
# MODEL defaults to the installed crowdcount model. Uses the installed plugin,
# or the build's when GST_PLUGIN_PATH points at build/gst-plugin.
set -euo pipefail
input=${1:?usage: $0 INPUT OUT_PREFIX [MODEL]}
out=${2:?usage: $0 INPUT OUT_PREFIX [MODEL]}
model_arg=()
[[ -n "${3:-}" ]] && model_arg=(model-file="$3")

# A file is not live, so crowdcount's on-busy=auto waits for every frame's
# result: the CSV has a fresh count for every frame.
gst-launch-1.0 -m filesrc location="$input" ! decodebin ! videoconvert ! \
    crowdcount "${model_arg[@]}" draw-overlay=true draw-count=true colormap=inferno max-input-size=1024 ! \
    videoconvert ! jpegenc quality=85 ! avimux ! filesink location="$out.avi" |
  python3 -c '
import re, sys
print("frame,time_s,count,stale,inference_ms")
for line in sys.stdin:
    if "(element): crowdcount," not in line:
        continue
    f = dict((k, v) for k, v in re.findall(r"([a-z-]+)=\(\w+\)([^,;]*)", line))
    print("%s,%.3f,%s,%s,%s" % (f["frame-number"], int(f["timestamp"]) / 1e9, f["count"], f["stale"], f["inference-ms"]))
' > "$out.csv"
echo "wrote $out.avi and $out.csv ($(($(wc -l < "$out.csv") - 1)) frames)"
