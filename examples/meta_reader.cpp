// Reads the results crowdcount / iqascore attach to buffers (GstRankvisionMeta)
// from inside an application: a pad probe on the sink sees every buffer.
//
//   rankvision-meta-reader                       # videotestsrc → crowdcount (default model)
//   rankvision-meta-reader 'filesrc location=vtest.avi ! decodebin ! videoconvert !
//       crowdcount model-file=m.rvm zones="left:0,0,384,576" ! fakesink name=sink'
//
// The pipeline needs an element named "sink". Only gstreamer-1.0 and the
// header rankvision-meta.h are needed: no link to the plugin.
#include <gst/gst.h>

#include <cstdio>

#include "rankvision-meta.h"

static GstPadProbeReturn on_buffer(GstPad*, GstPadProbeInfo* info, gpointer) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(buffer, GST_RANKVISION_RESULT_COUNT)) {
    std::printf("pts %" GST_TIME_FORMAT "  count %7.2f%s (frame %" G_GUINT64_FORMAT ", %.1f ms)",
                GST_TIME_ARGS(GST_BUFFER_PTS(buffer)), m->value, m->stale ? " stale" : "      ", m->frame_number,
                m->inference_ms);
    const gchar* id;
    gdouble count;
    for (guint i = 0; gst_rankvision_meta_get_zone(m, i, &id, &count); ++i) std::printf("  %s %.2f", id, count);
    guint w, h;
    if (gst_rankvision_meta_get_density(m, &w, &h, nullptr, nullptr)) std::printf("  density %ux%u", w, h);
    std::printf("\n");
  }
  if (GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(buffer, GST_RANKVISION_RESULT_QUALITY))
    std::printf("pts %" GST_TIME_FORMAT "  quality %5.1f%s%s\n", GST_TIME_ARGS(GST_BUFFER_PTS(buffer)), m->value,
                m->stale ? " stale" : "", m->alert ? " ALERT" : "");
  return GST_PAD_PROBE_OK;
}

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  const char* description =
      argc > 1 ? argv[1]
               : "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240 ! "
                 "crowdcount attach-density-map=true zones=left:0,0,160,240 ! fakesink name=sink";
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description, &error);
  if (!pipeline) {
    std::fprintf(stderr, "pipeline: %s\n", error->message);
    g_clear_error(&error);
    return 2;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  if (!sink) {
    std::fprintf(stderr, "pipeline: no element named \"sink\"\n");
    gst_object_unref(pipeline);
    return 2;
  }
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, nullptr, nullptr);
  gst_object_unref(pad);
  gst_object_unref(sink);

  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  int rc = 0;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &error, &debug);
    std::fprintf(stderr, "error from %s: %s\n", GST_OBJECT_NAME(msg->src), error->message);
    g_clear_error(&error);
    g_free(debug);
    rc = 1;
  }
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return rc;
}
