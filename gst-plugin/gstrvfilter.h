#pragma once
// GstRvFilter: the abstract base of crowdcount and iqascore. Everything the
// two elements share lives here, written once: the model lifecycle (load on
// READY→PAUSED, hot reload while PLAYING), the inference worker, frame
// conversion, the per-frame bus message, the GstMeta, statistics and the
// common properties. A subclass supplies the engine and its own results
// (zones and alerts, smoothing) through the class hooks below; the hooks are
// called inside the base's try/catch, so nothing C++ escapes into GObject.
#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

#include <memory>
#include <string>

#include "analyzer.h"
#include "canvas.h"
#include "frame_result.h"
#include "rankvision-meta.h"

G_BEGIN_DECLS

#define GST_TYPE_RV_FILTER (gst_rv_filter_get_type())
G_DECLARE_DERIVABLE_TYPE(GstRvFilter, gst_rv_filter, GST, RV_FILTER, GstVideoFilter)

struct _GstRvFilterClass {
  GstVideoFilterClass parent_class;

  GstRankvisionResultKind kind;
  rv::Task task;
  const char* message_name;  // per-frame message structure name: "crowdcount" / "iqascore"
  const char* value_field;   // its result field: "count" / "score"

  // Builds the engine for a model file (throws rv::Error naming the file).
  std::unique_ptr<rvgst::Analyzer> (*create_analyzer)(const std::string& path, const rv::EngineOptions& options);
  // Streaming thread, before a job is queued: snapshot of the subclass's settings.
  void (*prepare_job)(GstRvFilter* self, const GstVideoInfo* info, rvgst::JobSettings& job);
  // After each inference, in frame order: smoothing, thresholds, alert messages.
  void (*finish_result)(GstRvFilter* self, rvgst::FrameResult& result);
  // Element-specific fields of the per-frame message.
  void (*fill_message)(GstRvFilter* self, const rvgst::FrameResult& result, GstStructure* message);
  // Whether draw() would change pixels (the frame is mapped writable only then).
  gboolean (*wants_draw)(GstRvFilter* self);
  void (*draw)(GstRvFilter* self, const rvgst::FrameResult& result, gboolean stale, rvgst::Canvas& canvas);
  // Whether the meta carries the density map.
  gboolean (*wants_density_meta)(GstRvFilter* self);
  // READY→PAUSED: forget per-stream state (smoothing, alert state).
  void (*reset)(GstRvFilter* self);
};

typedef enum { GST_RV_PRECISION_FP32 = 0, GST_RV_PRECISION_FP16 = 1 } GstRvPrecision;
typedef enum { GST_RV_ON_BUSY_AUTO = 0, GST_RV_ON_BUSY_DROP = 1, GST_RV_ON_BUSY_WAIT = 2 } GstRvOnBusy;

G_END_DECLS

// Helpers for subclasses.
rvgst::FrameResult gst_rv_filter_latest_result(GstRvFilter* self);
gboolean gst_rv_filter_draw_overlay(GstRvFilter* self, double* alpha);
// timestamp, stream-time, running-time, duration, frame-number of `frame`.
void gst_rv_filter_set_timing(GstStructure* s, const rvgst::FrameInfo& frame);
// Posts an element message (takes ownership of `s`).
void gst_rv_filter_post(GstRvFilter* self, GstStructure* s);
