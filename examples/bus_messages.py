#!/usr/bin/python3
"""Reads crowdcount / iqascore results from the bus with Python GI.

    python3 examples/bus_messages.py VIDEO [COUNT_MODEL [IQA_MODEL]]

Prints one line per frame (count, zone counts, quality) and every alert.
Needs python3-gi and the rankvision plugin (installed, or GST_PLUGIN_PATH
pointing at build/gst-plugin).
"""
import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    Gst.init(None)
    count_model = 'model-file="%s"' % sys.argv[2] if len(sys.argv) > 2 else ''
    iqa_model = 'model-file="%s"' % sys.argv[3] if len(sys.argv) > 3 else ''
    pipeline = Gst.parse_launch(
        'filesrc location="%s" ! decodebin ! videoconvert ! '
        'crowdcount name=cc %s count-threshold=10 zones="left:0,0,384,576;right:384,0,384,576" ! '
        'iqascore %s inference-interval=5 ! fakesink' % (sys.argv[1], count_model, iqa_model))
    loop = GLib.MainLoop()
    quality = {'score': float('nan')}

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            name = s.get_name()
            if name == 'iqascore':
                quality['score'] = s.get_value('score')
            elif name == 'crowdcount':
                # PyGObject cannot convert GstValueArray directly; get_array gives a GValueArray.
                ok, arr = s.get_array('zones')
                zones = [arr.get_nth(i) for i in range(arr.n_values)] if ok else []
                zone_text = ' '.join('%s=%.1f' % (z.get_value('id'), z.get_value('count')) for z in zones)
                print('frame %4d  t=%7.3fs  count %6.2f%s  %s  quality %5.1f' % (
                    s.get_value('frame-number'), s.get_value('timestamp') / Gst.SECOND, s.get_value('count'),
                    ' (stale)' if s.get_value('stale') else '', zone_text, quality['score']))
            elif name.endswith('-alert'):
                print('ALERT %s: %s' % (name, s.to_string()))
            elif name == 'model-updated':
                print('model updated:', s.get_value('model-file'))
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print('error:', err.message, file=sys.stderr)
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)
    stats = pipeline.get_by_name('cc').get_property('stats')
    print('stats:', stats.to_string())
    return 0


if __name__ == '__main__':
    sys.exit(main())
