#pragma once
// The per-frame flow of crowdcount and iqascore, in one plain C++ class that
// reads top to bottom (process()): number and time the frame, ask the task for
// its plan, map the frame (RAII), convert it and hand it to the inference
// worker (or wait for it), take the latest result, then write the meta, the
// bus message and the overlay. It also owns the model's lifecycle (load at
// start, hot reload while PLAYING) and the statistics. The GObject side
// (gstrvfilter.cpp) keeps only properties, caps and state changes, and calls
// in here. Nothing here includes LibTorch.
#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "analyzer.h"
#include "element_task.h"
#include "frame_converter.h"
#include "frame_result.h"
#include "inference_worker.h"
#include "results_sink.h"

namespace rvgst {

enum class OnBusy { Auto = 0, Drop = 1, Wait = 2 };

// The shared properties (installed by gstrvfilter.cpp).
struct FlowSettings {
  std::string model_file;  // empty: the installed default model
  std::string device = "cpu";
  bool fp16 = false;
  int num_threads = 0;
  unsigned interval = 1;
  int max_input_size = 0;
  OnBusy on_busy = OnBusy::Auto;
  bool post_messages = true;
  std::string results_location;  // JSON lines (results_sink.h); empty: none
  OverlaySettings overlay;
};

struct FlowStats {
  guint64 frames = 0;
  guint64 inferences = 0;
  guint64 interval_skipped = 0;  // frames between inference-interval frames
  guint64 dropped = 0;           // frames due for inference that the busy network never saw
  double total_ms = 0;
  double last_ms = 0;
};

class FrameFlow {
 public:
  // `element`: the GstBaseTransform this flow belongs to (not owned; it owns us).
  FrameFlow(GstBaseTransform* element, std::unique_ptr<ElementTask> task);
  ~FrameFlow();
  FrameFlow(const FrameFlow&) = delete;
  FrameFlow& operator=(const FrameFlow&) = delete;

  ElementTask& task() { return *task_; }

  // Properties: read or change the shared settings under the lock.
  FlowSettings settings() const;
  void update_settings(const std::function<void(FlowSettings&)>& change);
  // Sets model-file; while running, loads it in the background and swaps it in.
  void set_model_file(const std::string& path);

  // Lifecycle (false: an element error was posted).
  bool start();
  void stop();
  bool configure(const GstVideoInfo& info);
  void drain() { worker_.drain(); }
  void discard_pending() { worker_.discard_pending(); }

  GstFlowReturn process(GstBuffer* buffer, const GstVideoInfo& info, const GstSegment& segment);

  FrameResult latest() const;
  GstStructure* stats() const;  // new structure, caller owns

 private:
  struct Ticket;  // one frame's number and the settings it runs with
  bool next_ticket(GstBuffer* buffer, const GstSegment& segment, Ticket& ticket);
  bool submit(const Ticket& ticket, const GstVideoFrame& video, const FramePlan& plan, bool& queued);
  bool take_latest(const Ticket& ticket, FrameResult& latest);
  void annotate(GstBuffer* buffer, GstVideoFrame& video, const Ticket& ticket, const FrameResult& latest,
                const FramePlan& plan, bool queued);
  void run_job(const PackedFrame& pixels, const JobSettings& settings, const FrameInfo& frame);
  void on_discarded(const FrameInfo& frame);
  bool should_wait(OnBusy mode);
  // The frame's result: a bus message when `post`, a JSON line when a results sink is open.
  void report_frame(const FrameInfo& frame, const FrameResult& result, bool stale, bool post);
  bool open_results_sink(const std::string& location);
  std::string resolve_model_path(const std::string& configured);
  void join_reload();

  GstBaseTransform* element_;
  std::unique_ptr<ElementTask> task_;

  mutable std::mutex lock_;  // guards everything up to failed_
  FlowSettings settings_;
  std::string running_model_;  // the file the analyzer runs
  FrameResult latest_;
  FlowStats stats_;
  guint64 frame_count_ = 0;
  int live_ = -1;  // -1: not asked yet
  bool failed_ = false;

  // Set in start(), cleared in stop(); jobs and reloads only run in between.
  std::unique_ptr<Analyzer> analyzer_;
  InferenceWorker worker_;
  // Opened in start() before the worker runs, closed in stop() after it stopped.
  std::unique_ptr<ResultsSink> sink_;
  FrameConverter converter_;  // streaming thread only

  std::mutex reload_lock_;  // serialises reload threads against stop()
  std::thread reload_thread_;
  bool running_ = false;  // under reload_lock_
};

}  // namespace rvgst
