#!/usr/bin/python3
"""Hot-swaps a counting model into a running crowdcount pipeline.

    python3 examples/hot_swap.py VIDEO BASE_MODEL NEW_MODEL [--seconds-after S] [--timeout S]
                                 [--inference-interval N]

Plays VIDEO in real time (looping at EOS) through crowdcount with BASE_MODEL
and prints the count once a second. As soon as NEW_MODEL appears or changes on
disk (rankvision adapt writes it atomically), it sets the element's
model-file property while PLAYING; the element loads the file on a background
thread and posts model-updated, and the pipeline never stops. The script then
keeps printing for --seconds-after seconds (default 10) and exits 0.
Exits 1 when the element rejects the new file (its warning names the reason),
or when NEW_MODEL has not appeared after --timeout seconds (default 3600).

Needs python3-gi and the rankvision plugin (installed, or GST_PLUGIN_PATH
pointing at build/gst-plugin).
"""
import argparse
import os
import sys
import time

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402


def mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('video')
    p.add_argument('base_model')
    p.add_argument('new_model')
    p.add_argument('--seconds-after', type=float, default=10.0)
    p.add_argument('--timeout', type=float, default=3600.0)
    p.add_argument('--inference-interval', type=int, default=1,
                   help='infer every Nth frame (leaves CPU to a training run beside it)')
    args = p.parse_args()
    for path in (args.video, args.base_model):
        if not os.path.isfile(path):
            print('hot_swap: %s: no such file' % path, file=sys.stderr)
            return 1

    Gst.init(None)
    pipeline = Gst.parse_launch(
        'filesrc name=src ! decodebin ! videoconvert ! crowdcount name=cc on-busy=drop ! fakesink sync=true')
    pipeline.get_by_name('src').set_property('location', args.video)
    cc = pipeline.get_by_name('cc')
    cc.set_property('model-file', args.base_model)
    cc.set_property('inference-interval', args.inference_interval)
    loop = GLib.MainLoop()
    state = {'count': float('nan'), 'frame': -1, 'model': 'base', 'swapped_at': None, 'rc': 0, 'requested': False,
             'seen': mtime(args.new_model), 't0': time.monotonic()}

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == 'crowdcount':
                state['count'] = s.get_value('count')
                state['frame'] = s.get_value('frame-number')
            elif s.get_name() == 'model-updated':
                state['model'] = 'new'
                state['swapped_at'] = time.monotonic()
                print('[%6.1fs] model-updated: now running %s (pipeline kept PLAYING)'
                      % (time.monotonic() - state['t0'], cc.get_property('model-file')), flush=True)
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            print('hot_swap: element warning: %s' % err.message, file=sys.stderr)
            if state['requested'] and state['model'] == 'base':
                state['rc'] = 1
                loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH, 0)  # loop the camera
        elif msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print('hot_swap: pipeline error: %s' % err.message, file=sys.stderr)
            state['rc'] = 1
            loop.quit()

    def tick():
        now = time.monotonic()
        print('[%6.1fs] frame %4d  count %6.2f  (%s model)'
              % (now - state['t0'], state['frame'], state['count'], state['model']), flush=True)
        m = mtime(args.new_model)
        if state['model'] == 'base' and m is not None and m != state['seen']:
            state['seen'] = m
            print('[%6.1fs] %s written: setting model-file' % (now - state['t0'], args.new_model), flush=True)
            state['requested'] = True
            cc.set_property('model-file', args.new_model)
        if state['swapped_at'] is not None and now - state['swapped_at'] >= args.seconds_after:
            loop.quit()
        elif state['swapped_at'] is None and now - state['t0'] > args.timeout:
            print('hot_swap: %s did not appear within %.0f s' % (args.new_model, args.timeout), file=sys.stderr)
            state['rc'] = 1
            loop.quit()
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)
    GLib.timeout_add(1000, tick)
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        print('hot_swap: the pipeline did not start (see the error above)', file=sys.stderr)
        return 1
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)
    return state['rc']


if __name__ == '__main__':
    sys.exit(main())
