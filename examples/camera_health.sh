#!/usr/bin/env bash
# Camera health check with iqascore: scores picture quality twice a second,
# smooths it over a few seconds and prints an alert when the picture degrades
# (blur, noise, heavy compression, a covered lens) and when it recovers.
#
#   examples/camera_health.sh [SOURCE] [THRESHOLD] [MODEL]
#   SOURCE: /dev/videoN (a camera), a video file, "test" (default: a clean
#           generated picture, 20 s) or "noise" (a degraded one: snow)
#
# MODEL defaults to models/iqa-multitask.rvm (models/iqa-multitask.md): the
# quality network trained with the ranking loss, which orders noise, blur and
# compression of the same picture the right way round (within-image ranking
# accuracy 0.74 on frames it never saw). The iqascore default
# (models/iqa-default.rvm) scores photographs a little better but takes added
# noise for detail. Neither has seen a pattern of pure snow: this model scores
# it 64, the clean bars 59 and a black picture (a covered lens) 29, so "noise"
# does not alert at the default threshold; a real camera whose picture grows
# noisy or blurred scores lower than it did (models/cards/iqa-multitask-strip.png).
set -euo pipefail
source=${1:-test}
threshold=${2:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
model_arg=(model-file="${3:-$here/models/iqa-multitask.rvm}")

case "$source" in
  test)
    src=(videotestsrc num-buffers=500 pattern=smpte ! video/x-raw,width=640,height=480,framerate=25/1) ;;
  noise)
    src=(videotestsrc num-buffers=500 pattern=snow ! video/x-raw,width=640,height=480,framerate=25/1) ;;
  /dev/video*) src=(v4l2src device="$source" ! videoconvert) ;;
  *) src=(filesrc location="$source" ! decodebin ! videoconvert) ;;
esac

# A camera is live: on-busy=auto never stalls it; inference-interval keeps the
# CPU cost low (the score moves slowly anyway).
gst-launch-1.0 -m "${src[@]}" ! \
    iqascore "${model_arg[@]}" inference-interval=12 smoothing=0.8 alert-threshold="$threshold" \
      post-messages=false ! fakesink sync=true |
  while IFS= read -r line; do
    case "$line" in
      *"(element): iqascore-alert,"*)
        t=$(sed -E 's/.*stream-time=\(guint64\)([0-9]+).*/\1/' <<<"$line")
        score=$(sed -E 's/.*score=\(double\)([0-9.e+-]+).*/\1/' <<<"$line")
        if [[ "$line" == *"alert=(boolean)true"* ]]; then
          awk -v t="$t" -v s="$score" -v th="$threshold" 'BEGIN { printf "ALERT     at %6.1f s: picture quality %.1f < %s\n", t / 1e9, s, th }'
        else
          awk -v t="$t" -v s="$score" 'BEGIN { printf "RECOVERED at %6.1f s: picture quality %.1f\n", t / 1e9, s }'
        fi
        ;;
      *ERROR*) echo "$line" >&2 ;;
    esac
  done
