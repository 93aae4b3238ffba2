#include "frame_flow.h"

#include <chrono>
#include <exception>
#include <utility>

#include <glib/gstdio.h>

#include "common/error.h"
#include "meta_writer.h"

GST_DEBUG_CATEGORY_STATIC(rv_flow_debug);
#define GST_CAT_DEFAULT rv_flow_debug

namespace rvgst {

namespace {

// A mapped video frame, unmapped on every exit.
class MappedFrame {
 public:
  // Mapped writable only when drawing, so passing frames are never copied.
  // NO_REF: a mapped frame holding a second reference would make the buffer
  // read-only, and the meta could not be added.
  MappedFrame(const GstVideoInfo& info, GstBuffer* buffer, bool writable) {
    const auto flags =
        static_cast<GstMapFlags>((writable ? GST_MAP_READWRITE : GST_MAP_READ) | GST_VIDEO_FRAME_MAP_FLAG_NO_REF);
    mapped_ = gst_video_frame_map(&frame_, const_cast<GstVideoInfo*>(&info), buffer, flags);
  }
  ~MappedFrame() {
    if (mapped_) gst_video_frame_unmap(&frame_);
  }
  MappedFrame(const MappedFrame&) = delete;
  MappedFrame& operator=(const MappedFrame&) = delete;
  explicit operator bool() const { return mapped_; }
  GstVideoFrame& get() { return frame_; }

 private:
  GstVideoFrame frame_{};
  bool mapped_ = false;
};

FrameInfo timing_of(GstBuffer* buffer, const GstSegment& segment) {
  FrameInfo frame;
  frame.pts = GST_BUFFER_PTS(buffer);
  frame.duration = GST_BUFFER_DURATION(buffer);
  if (GST_CLOCK_TIME_IS_VALID(frame.pts)) {
    frame.stream_time = gst_segment_to_stream_time(&segment, GST_FORMAT_TIME, frame.pts);
    frame.running_time = gst_segment_to_running_time(&segment, GST_FORMAT_TIME, frame.pts);
  }
  return frame;
}

void ensure_debug_category() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(rv_flow_debug, "rvfilter", 0, "rankvision elements (shared per-frame flow)");
    g_once_init_leave(&once, 1);
  }
}

}  // namespace

struct FrameFlow::Ticket {
  FrameInfo frame;
  bool due = false;  // this frame gets its own inference
  OnBusy on_busy = OnBusy::Auto;
  bool post = true;
  OverlaySettings overlay;
};

FrameFlow::FrameFlow(GstBaseTransform* element, std::unique_ptr<ElementTask> task)
    : element_(element), task_(std::move(task)) {
  ensure_debug_category();
}

FrameFlow::~FrameFlow() {
  worker_.stop();
  join_reload();
}

// ---- per frame --------------------------------------------------------------

GstFlowReturn FrameFlow::process(GstBuffer* buffer, const GstVideoInfo& info, const GstSegment& segment) {
  Ticket ticket;
  if (!next_ticket(buffer, segment, ticket)) return GST_FLOW_ERROR;
  const FramePlan plan = task_->plan(info, ticket.overlay);
  MappedFrame video(info, buffer, plan.draw);
  if (!video) {
    GST_ELEMENT_ERROR(element_, STREAM, FAILED, ("Could not map video frame %" G_GUINT64_FORMAT, ticket.frame.number),
                      ("%s", gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&info))));
    return GST_FLOW_ERROR;
  }
  bool queued = false;  // handed to the worker, which posts its message when the result is in
  if (ticket.due && !submit(ticket, video.get(), plan, queued)) return GST_FLOW_ERROR;
  FrameResult latest;
  if (!take_latest(ticket, latest)) return GST_FLOW_ERROR;
  if (latest.valid) annotate(buffer, video.get(), ticket, latest, plan, queued);
  return GST_FLOW_OK;
}

bool FrameFlow::next_ticket(GstBuffer* buffer, const GstSegment& segment, Ticket& ticket) {
  ticket.frame = timing_of(buffer, segment);
  std::lock_guard<std::mutex> lock(lock_);
  if (failed_) return false;
  ticket.frame.number = frame_count_++;
  ticket.due = ticket.frame.number % settings_.interval == 0;
  ticket.on_busy = settings_.on_busy;
  ticket.post = settings_.post_messages;
  ticket.overlay = settings_.overlay;
  return true;
}

bool FrameFlow::submit(const Ticket& ticket, const GstVideoFrame& video, const FramePlan& plan, bool& queued) {
  try {
    const bool wait = should_wait(ticket.on_busy);
    std::shared_ptr<PackedFrame> pixels = converter_.convert(video, /*own=*/!wait);
    if (!pixels) throw rv::Error("could not convert the frame to RGB");
    const FrameInfo frame = ticket.frame;
    auto job = [this, pixels, settings = plan.job, frame] { run_job(*pixels, settings, frame); };
    if (wait) {
      worker_.run_and_wait(job);
    } else {
      // A frame waiting for the network is replaced by this one: it passed
      // long ago with the last result, and now its message says so.
      queued = worker_.submit(job, [this, frame] { on_discarded(frame); });
    }
    return true;
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(element_, STREAM, FAILED,
                      ("Could not queue frame %" G_GUINT64_FORMAT ": %s", ticket.frame.number, e.what()), (nullptr));
    return false;
  }
}

bool FrameFlow::take_latest(const Ticket& ticket, FrameResult& latest) {
  std::lock_guard<std::mutex> lock(lock_);
  if (failed_) return false;
  latest = latest_;
  stats_.frames++;
  if (!ticket.due) stats_.interval_skipped++;
  return true;
}

void FrameFlow::annotate(GstBuffer* buffer, GstVideoFrame& video, const Ticket& ticket, const FrameResult& latest,
                         const FramePlan& plan, bool queued) {
  const bool fresh = latest.frame.number == ticket.frame.number;
  try {
    add_meta(buffer, task_->meta_kind(), latest, !fresh, plan.density_meta);
    // A frame queued for the network gets its message when the result is in.
    if ((ticket.post || sink_) && !fresh && !queued) report_frame(ticket.frame, latest, true, ticket.post);
    if (plan.draw) {
      Canvas canvas(video);
      task_->draw(latest, plan, canvas);
    }
  } catch (const std::exception& e) {
    GST_ELEMENT_WARNING(element_, STREAM, FAILED,
                        ("Could not annotate frame %" G_GUINT64_FORMAT ": %s", ticket.frame.number, e.what()),
                        (nullptr));
  }
}

// Runs on the worker thread (or, with on-busy=wait, while the streaming thread waits).
void FrameFlow::run_job(const PackedFrame& pixels, const JobSettings& settings, const FrameInfo& frame) {
  FrameResult result;
  result.frame = frame;
  result.valid = true;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    analyzer_->analyze(pixels.view, settings, result);
    if (result.inference_ms <= 0)
      result.inference_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    task_->finish(result, GST_ELEMENT(element_));
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(lock_);
      failed_ = true;
    }
    GST_ELEMENT_ERROR(element_, STREAM, FAILED,
                      ("Inference failed on frame %" G_GUINT64_FORMAT ": %s", frame.number, e.what()), (nullptr));
    return;
  }
  bool post;
  {
    std::lock_guard<std::mutex> lock(lock_);
    latest_ = result;
    stats_.inferences++;
    stats_.total_ms += result.inference_ms;
    stats_.last_ms = result.inference_ms;
    post = settings_.post_messages;
  }
  if (post || sink_) report_frame(frame, result, false, post);
}

void FrameFlow::on_discarded(const FrameInfo& frame) {
  FrameResult last;
  bool post;
  {
    std::lock_guard<std::mutex> lock(lock_);
    stats_.dropped++;
    last = latest_;
    post = settings_.post_messages;
    if (!last.valid) return;
  }
  if (post || sink_) report_frame(frame, last, true, post);
}

bool FrameFlow::should_wait(OnBusy mode) {
  if (mode == OnBusy::Wait) return true;
  if (mode == OnBusy::Drop) return false;
  if (live_ < 0) {  // streaming thread only (start() resets it while nothing streams)
    // Live sources must never stall; files and generated streams are processed completely.
    gboolean live = FALSE;
    g_autoptr(GstQuery) q = gst_query_new_latency();
    if (gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(element_), q)) gst_query_parse_latency(q, &live, nullptr, nullptr);
    live_ = live ? 1 : 0;
    GST_INFO_OBJECT(element_, "upstream is %slive: on-busy=auto %s", live ? "" : "not ", live ? "drops" : "waits");
  }
  return live_ == 0;
}

void FrameFlow::report_frame(const FrameInfo& frame, const FrameResult& result, bool stale, bool post) {
  GstStructure* s = gst_structure_new_empty(task_->message_name());
  set_timing(s, frame);
  gst_structure_set(s, task_->value_field(), G_TYPE_DOUBLE, result.value, "stale", G_TYPE_BOOLEAN, stale,
                    "result-frame-number", G_TYPE_UINT64, result.frame.number, "inference-ms", G_TYPE_DOUBLE,
                    result.inference_ms, "alert", G_TYPE_BOOLEAN, result.alert, nullptr);
  task_->fill_message(result, s);
  if (sink_) {
    std::string model;
    {
      std::lock_guard<std::mutex> lock(lock_);
      model = running_model_;
    }
    sink_->push(structure_to_json_line(s, GST_OBJECT_NAME(element_), model));
  }
  if (post)
    post_message(GST_ELEMENT(element_), s);
  else
    gst_structure_free(s);
}

bool FrameFlow::open_results_sink(const std::string& location) {
  if (location.empty()) return true;
  try {
    sink_ = ResultsSink::open(location, [this](const std::string& message) {
      GST_ELEMENT_WARNING(element_, RESOURCE, WRITE, ("%s", message.c_str()), (nullptr));
    });
    return true;
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(element_, RESOURCE, OPEN_WRITE, ("Could not open results-location: %s", e.what()), (nullptr));
    return false;
  }
}

// ---- settings and model lifecycle ----------------------------------------------

FlowSettings FrameFlow::settings() const {
  std::lock_guard<std::mutex> lock(lock_);
  return settings_;
}

void FrameFlow::update_settings(const std::function<void(FlowSettings&)>& change) {
  std::lock_guard<std::mutex> lock(lock_);
  change(settings_);
  settings_.interval = std::max(1u, settings_.interval);
}

void FrameFlow::join_reload() {
  if (reload_thread_.joinable()) reload_thread_.join();
}

// Setting it again, even to the same path, reloads: adaptation rewrites the
// file in place and then pokes the property. Hot reload loads in the
// background and swaps between frames; the old model keeps running until the
// new one is ready, and stays when the file is bad.
void FrameFlow::set_model_file(const std::string& path) {
  update_settings([&](FlowSettings& s) { s.model_file = path; });
  std::lock_guard<std::mutex> guard(reload_lock_);
  if (!running_) return;  // applied at the next start
  join_reload();
  gst_object_ref(element_);
  reload_thread_ = std::thread([this, path] {
    try {
      if (path.empty()) rv::throw_input_error("model-file", "an empty path cannot be loaded while running");
      analyzer_->reload(path);
      const std::string described = analyzer_->describe();
      {
        std::lock_guard<std::mutex> lock(lock_);
        running_model_ = path;
      }
      GST_INFO_OBJECT(element_, "model swapped to %s (%s)", path.c_str(), described.c_str());
      post_message(GST_ELEMENT(element_), gst_structure_new("model-updated", "model-file", G_TYPE_STRING, path.c_str(),
                                                            "model", G_TYPE_STRING, described.c_str(), nullptr));
    } catch (const std::exception& e) {
      std::string keep;
      {
        std::lock_guard<std::mutex> lock(lock_);
        keep = running_model_;
        settings_.model_file = keep;  // the property names the model that runs
      }
      GST_ELEMENT_WARNING(element_, RESOURCE, READ,
                          ("Could not reload the %s model \"%s\"; keeping \"%s\": %s", task_name(task_->kind()),
                           path.c_str(), keep.c_str(), e.what()),
                          (nullptr));
    }
    gst_object_unref(element_);
  });
}

// The configured file, or the installed default; empty after posting an error.
std::string FrameFlow::resolve_model_path(const std::string& configured) {
  const char* task = task_name(task_->kind());
  std::string path = configured;
  if (path.empty()) {
    path = default_model_path(task_->kind());
    if (path.empty()) {
      GST_ELEMENT_ERROR(element_, RESOURCE, NOT_FOUND, ("No model-file set and no default %s model is installed", task),
                        ("set model-file, or install the default model (RANKVISION_MODEL_DIR overrides the folder)"));
      return "";
    }
    GST_INFO_OBJECT(element_, "model-file not set, using the default %s", path.c_str());
  }
  if (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    GST_ELEMENT_ERROR(element_, RESOURCE, NOT_FOUND,
                      ("Could not load the %s model \"%s\": no such file", task, path.c_str()), (nullptr));
    return "";
  }
  return path;
}

bool FrameFlow::start() {
  const std::string settings_error = task_->settings_error();
  if (!settings_error.empty()) {
    GST_ELEMENT_ERROR(element_, RESOURCE, SETTINGS, ("Invalid zone setting: %s", settings_error.c_str()), (nullptr));
    return false;
  }
  const FlowSettings s = settings();
  rv::EngineOptions options;
  options.device = s.device;
  options.fp16 = s.fp16;
  options.num_threads = s.num_threads;
  options.max_input_size = s.max_input_size;
  try {
    check_device(options.device);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(element_, RESOURCE, SETTINGS, ("Invalid device \"%s\": %s", options.device.c_str(), e.what()),
                      (nullptr));
    return false;
  }
  const std::string path = resolve_model_path(s.model_file);
  if (path.empty()) return false;
  std::unique_ptr<Analyzer> analyzer;
  try {
    analyzer = create_analyzer(task_->kind(), path, options);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(element_, RESOURCE, SETTINGS,
                      ("Could not load the %s model \"%s\": %s", task_name(task_->kind()), path.c_str(), e.what()),
                      ("device=%s precision=%s", options.device.c_str(), options.fp16 ? "fp16" : "fp32"));
    return false;
  }
  GST_INFO_OBJECT(element_, "loaded %s (%s) on %s", path.c_str(), analyzer->describe().c_str(), options.device.c_str());
  if (!open_results_sink(s.results_location)) return false;
  {
    std::lock_guard<std::mutex> lock(lock_);
    analyzer_ = std::move(analyzer);
    running_model_ = path;
    latest_ = FrameResult();
    stats_ = FlowStats();
    frame_count_ = 0;
    live_ = -1;
    failed_ = false;
  }
  task_->reset();
  worker_.start();
  std::lock_guard<std::mutex> guard(reload_lock_);
  running_ = true;
  return true;
}

void FrameFlow::stop() {
  {
    std::lock_guard<std::mutex> guard(reload_lock_);
    running_ = false;
    join_reload();
  }
  worker_.stop();
  if (sink_) sink_->close();  // writes what is queued
  sink_.reset();
  std::lock_guard<std::mutex> lock(lock_);
  analyzer_.reset();
}

bool FrameFlow::configure(const GstVideoInfo& info) {
  if (converter_.configure(info)) return true;
  GST_ELEMENT_ERROR(element_, CORE, NEGOTIATION,
                    ("Unsupported video format %s", gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&info))),
                    (nullptr));
  return false;
}

// ---- read-only views ----------------------------------------------------------

FrameResult FrameFlow::latest() const {
  std::lock_guard<std::mutex> lock(lock_);
  return latest_;
}

GstStructure* FrameFlow::stats() const {
  std::lock_guard<std::mutex> lock(lock_);
  const FlowStats& s = stats_;
  return gst_structure_new("stats", "frames", G_TYPE_UINT64, s.frames, "inferences", G_TYPE_UINT64, s.inferences,
                           "skipped", G_TYPE_UINT64, s.interval_skipped + s.dropped, "dropped", G_TYPE_UINT64,
                           s.dropped, "mean-inference-ms", G_TYPE_DOUBLE,
                           s.inferences ? s.total_ms / s.inferences : 0.0, "last-inference-ms", G_TYPE_DOUBLE,
                           s.last_ms, nullptr);
}

// ---- messages ---------------------------------------------------------------------

void set_timing(GstStructure* s, const FrameInfo& frame) {
  gst_structure_set(s, "timestamp", G_TYPE_UINT64, frame.pts, "stream-time", G_TYPE_UINT64, frame.stream_time,
                    "running-time", G_TYPE_UINT64, frame.running_time, "duration", G_TYPE_UINT64, frame.duration,
                    "frame-number", G_TYPE_UINT64, frame.number, nullptr);
}

void post_message(GstElement* element, GstStructure* s) {
  gst_element_post_message(element, gst_message_new_element(GST_OBJECT(element), s));
}

}  // namespace rvgst
