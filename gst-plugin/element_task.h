#pragma once
// What differs between crowdcount and iqascore, as one plain C++ interface.
// The shared per-frame flow (frame_flow.h) asks the task four things per frame,
// each once: plan() before the frame is mapped, finish() on the worker after
// inference, fill_message() for the bus message and draw() for the overlay.
// Implementations: CountTask (count_task.h), QualityTask (quality_task.h). They
// keep the element-specific settings and state, each behind its own lock; the
// GObject files only forward properties to them.
#include <gst/gst.h>
#include <gst/video/video.h>

#include <memory>
#include <string>

#include "analyzer.h"
#include "canvas.h"
#include "frame_result.h"
#include "rankvision-meta.h"

namespace rvgst {

// The shared overlay properties (draw-overlay, overlay-alpha).
struct OverlaySettings {
  bool enabled = false;
  double alpha = 0.6;
};

// What one frame needs, decided once on the streaming thread before it is mapped.
struct FramePlan {
  JobSettings job;            // what the network job runs with (a snapshot)
  bool draw = false;          // pixels will be drawn: the frame is mapped writable
  bool density_meta = false;  // the meta carries the density map
  OverlaySettings overlay;
};

class ElementTask {
 public:
  virtual ~ElementTask() = default;
  virtual AnalyzerKind kind() const = 0;
  virtual GstRankvisionResultKind meta_kind() const = 0;
  virtual const char* message_name() const = 0;  // per-frame message: "crowdcount" / "iqascore"
  virtual const char* value_field() const = 0;   // its result field: "count" / "score"
  // A setting that cannot work, set before start (start fails with it); empty when fine.
  virtual std::string settings_error() const { return {}; }
  // READY→PAUSED: forget per-stream state (smoothing, alert state).
  virtual void reset() = 0;
  virtual FramePlan plan(const GstVideoInfo& info, const OverlaySettings& overlay) = 0;
  // Worker thread, after each inference, in frame order: smoothing, thresholds,
  // alert messages (posted on `element`).
  virtual void finish(FrameResult& result, GstElement* element) = 0;
  // Element-specific fields of the per-frame message.
  virtual void fill_message(const FrameResult& result, GstStructure* message) const = 0;
  virtual void draw(const FrameResult& result, const FramePlan& plan, Canvas& canvas) = 0;
};

// timestamp, stream-time, running-time, duration, frame-number of `frame`.
void set_timing(GstStructure* s, const FrameInfo& frame);
// Posts an element message (takes ownership of `s`).
void post_message(GstElement* element, GstStructure* s);

}  // namespace rvgst
