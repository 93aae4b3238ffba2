#!/usr/bin/env python3
"""End-to-end: a real gst-launch-1.0 -m pipeline over a short generated video.

usage: e2e_launch.py MAKE_MODEL_TOOL

Writes a tiny model and a 12-frame MJPEG/AVI clip, runs crowdcount and
iqascore over it with `gst-launch-1.0 -m`, and checks the bus messages the
tool prints: one per frame, in order, with the documented fields. Then checks
that a missing model makes gst-launch fail with the file named.
"""
import os
import re
import subprocess
import sys
import tempfile

FRAMES = 12


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def messages(output, name):
    out = []
    for line in output.splitlines():
        m = re.search(r'\(element\): ' + re.escape(name) + r', (.*);$', line)
        if m:
            fields = {}
            for key, typ, value in re.findall(r'([a-z-]+)=\((\w+)\)([^,]*)', m.group(1)):
                fields[key] = (typ, value)
            out.append(fields)
    return out


def main():
    tool = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        count_model = os.path.join(tmp, 'count.rvm')
        quality_model = os.path.join(tmp, 'quality.rvm')
        for task, path in (('count', count_model), ('quality', quality_model)):
            r = run([tool, task, path, '0.125'])
            assert r.returncode == 0, r.stderr
        clip = os.path.join(tmp, 'clip.avi')
        r = run(['gst-launch-1.0', '-q', 'videotestsrc', 'num-buffers=%d' % FRAMES, 'pattern=ball', '!',
                 'video/x-raw,width=160,height=120,framerate=10/1', '!', 'jpegenc', '!', 'avimux', '!',
                 'filesink', 'location=' + clip])
        assert r.returncode == 0, r.stderr

        r = run(['gst-launch-1.0', '-m', 'filesrc', 'location=' + clip, '!', 'decodebin', '!', 'videoconvert', '!',
                 'crowdcount', 'model-file=' + count_model, 'zones=left:0,0,80,120', '!',
                 'iqascore', 'model-file=' + quality_model, '!', 'fakesink'])
        if r.returncode != 0:
            failures.append('pipeline failed: ' + r.stderr[-2000:])
        counts = messages(r.stdout, 'crowdcount')
        scores = messages(r.stdout, 'iqascore')
        if len(counts) != FRAMES:
            failures.append('expected %d crowdcount messages, got %d' % (FRAMES, len(counts)))
        if len(scores) != FRAMES:
            failures.append('expected %d iqascore messages, got %d' % (FRAMES, len(scores)))
        for i, m in enumerate(counts):
            for field in ('timestamp', 'stream-time', 'running-time', 'duration', 'frame-number', 'count', 'stale',
                          'zones', 'inference-ms'):
                if field not in m:
                    failures.append('crowdcount message %d has no %s' % (i, field))
            if m.get('frame-number') != ('guint64', str(i)):
                failures.append('message %d: frame-number %s' % (i, m.get('frame-number')))
            if m.get('count', ('', ''))[0] != 'double':
                failures.append('message %d: count is not a double' % i)
            # A file is not live: on-busy=auto waits, so every frame has its own result.
            if m.get('stale') != ('boolean', 'false'):
                failures.append('message %d: stale %s' % (i, m.get('stale')))
            if m.get('timestamp') != ('guint64', str(i * 100000000)):
                failures.append('message %d: timestamp %s' % (i, m.get('timestamp')))
        for i, m in enumerate(scores):
            score = float(m.get('score', ('', 'nan'))[1])
            if not 0.0 <= score <= 100.0:
                failures.append('iqascore message %d: score %s outside 0–100' % (i, score))
        if 'EOS' not in r.stdout and 'Got EOS' not in r.stdout:
            failures.append('no EOS in the output')

        missing = os.path.join(tmp, 'missing.rvm')
        r = run(['gst-launch-1.0', 'videotestsrc', 'num-buffers=2', '!', 'crowdcount', 'model-file=' + missing, '!',
                 'fakesink'])
        if r.returncode == 0:
            failures.append('a missing model did not fail the pipeline')
        if missing not in r.stdout + r.stderr:
            failures.append('the error does not name the missing file: ' + (r.stdout + r.stderr)[-1000:])

    for f in failures:
        print('FAIL:', f)
    print('%d failures' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
