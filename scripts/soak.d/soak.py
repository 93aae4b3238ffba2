"""Driver of scripts/soak: one pipeline, crowdcount then iqascore, for N minutes.

Samples VmRSS of this process (the pipeline runs in it) once a minute, counts
the frames both elements report, and every error and warning on the bus.
"""
import json
import os
import sys
import time

import gi

gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi'


def rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


def pipeline_description(source, fps, count_model, iqa_model):
    caps = f'video/x-raw,format=RGB,framerate={fps}/1'
    if source == 'vtest':
        head = (f'filesrc location={VTEST} ! decodebin ! videoconvert ! videorate ! '
                f'{caps} ! identity sync=true')
    else:
        head = (f'videotestsrc pattern=ball motion=sweep background-color=0xff404040 is-live=true ! '
                f'{caps},width=768,height=576')
    return (f'{head} ! crowdcount name=cc model-file={count_model} ! '
            f'iqascore name=iqa model-file={iqa_model} ! fakesink sync=false')


def main():
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    source = os.environ.get('SOAK_SOURCE') or ('vtest' if os.path.exists(VTEST) else 'ball')
    fps = int(os.environ.get('SOAK_FPS', '10'))
    count_model = os.environ.get('SOAK_COUNT_MODEL', 'models/crowdcount-default.rvm')
    iqa_model = os.environ.get('SOAK_IQA_MODEL', 'models/iqa-default.rvm')
    for m in (count_model, iqa_model):
        if not os.path.isfile(m):
            sys.exit(f'soak: model file {m}: not found')
    Gst.init(None)
    desc = pipeline_description(source, fps, count_model, iqa_model)
    pipeline = Gst.parse_launch(desc)
    bus = pipeline.get_bus()
    looping = source == 'vtest'
    if pipeline.set_state(Gst.State.PAUSED) == Gst.StateChangeReturn.FAILURE:
        sys.exit('soak: the pipeline did not start: ' + desc)
    pipeline.get_state(30 * Gst.SECOND)
    pipeline.set_state(Gst.State.PLAYING)
    frames = {'crowdcount': 0, 'iqascore': 0}
    errors, warnings, loops, samples = [], [], 0, []
    start = time.monotonic()
    next_sample = start + 60.0
    end = start + minutes * 60.0
    print(f'soak: {desc}', file=sys.stderr)
    while True:
        now = time.monotonic()
        if now >= end:
            break
        msg = bus.timed_pop(int(min(0.5, end - now) * Gst.SECOND))
        if msg is not None:
            t = msg.type
            if t == Gst.MessageType.ELEMENT:
                name = msg.get_structure().get_name()
                if name in frames:
                    frames[name] += 1
            elif t == Gst.MessageType.EOS and looping:  # the end of vtest.avi: a flushing seek back to 0
                loops += 1
                if not pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0):
                    errors.append('the seek back to the start of the video failed')
                    break
            elif t == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                errors.append(f'{err.message} ({dbg})')
                break
            elif t == Gst.MessageType.WARNING:
                w, _ = msg.parse_warning()
                warnings.append(w.message)
            elif t == Gst.MessageType.EOS:
                errors.append('unexpected EOS')
                break
        if time.monotonic() >= next_sample:
            samples.append(round(rss_mb(), 1))
            print(f'soak: minute {len(samples)}: RSS {samples[-1]} MB, frames {frames}, loops {loops}',
                  file=sys.stderr, flush=True)
            next_sample += 60.0
    elapsed = (time.monotonic() - start) / 60.0
    pipeline.set_state(Gst.State.NULL)
    rss_end = rss_mb()
    expected = 0.8 * fps * elapsed * 60.0
    short = min(frames.values()) < expected
    result = {'minutes': round(elapsed, 2), 'frames': min(frames.values()),
              'rss_start_mb': samples[0] if samples else round(rss_end, 1),
              'rss_end_mb': samples[-1] if samples else round(rss_end, 1),
              'errors': len(errors) + len(warnings),
              'source': source, 'fps': fps, 'loops': loops, 'rss_samples_mb': samples,
              'frames_per_element': frames}
    if len(samples) >= 3:
        # The allocator keeps and returns blocks, so single samples swing by tens of MB:
        # the trend is the least-squares slope over the minutes, in MB per hour.
        n = len(samples)
        mx, my = (n - 1) / 2.0, sum(samples) / n
        slope = sum((i - mx) * (v - my) for i, v in enumerate(samples)) / sum((i - mx) ** 2 for i in range(n))
        result['rss_trend_mb_per_hour'] = round(slope * 60.0, 2)
        result['rss_min_mb'], result['rss_max_mb'] = min(samples), max(samples)
    for e in errors + warnings:
        print(f'soak: {e}', file=sys.stderr)
    if short:
        print(f'soak: only {min(frames.values())} frames in {elapsed:.1f} min at {fps} frames/s', file=sys.stderr)
    print(json.dumps(result), flush=True)
    sys.exit(1 if errors or warnings or short else 0)


if __name__ == '__main__':
    main()
