#include "gstrvfilter.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include <glib/gstdio.h>

#include "common/error.h"
#include "frame_converter.h"
#include "inference_worker.h"
#include "meta_writer.h"

GST_DEBUG_CATEGORY_STATIC(gst_rv_filter_debug);
#define GST_CAT_DEFAULT gst_rv_filter_debug

namespace {

struct Stats {
  guint64 frames = 0;
  guint64 inferences = 0;
  guint64 interval_skipped = 0;  // frames between inference-interval frames
  guint64 dropped = 0;           // frames due for inference that the busy network never saw
  double total_ms = 0;
  double last_ms = 0;
};

// The C++ side of the element: created in init, deleted in finalize.
struct FilterState {
  std::mutex lock;  // guards everything up to `stats`
  // Properties.
  std::string model_file;  // empty: the installed default model
  std::string device = "cpu";
  GstRvPrecision precision = GST_RV_PRECISION_FP32;
  int num_threads = 0;
  guint interval = 1;
  int max_input_size = 0;
  GstRvOnBusy on_busy = GST_RV_ON_BUSY_AUTO;
  bool post_messages = true;
  bool draw_overlay = false;
  double overlay_alpha = 0.5;
  // Stream.
  std::string running_model;  // the file the analyzer runs
  rvgst::FrameResult latest;
  Stats stats;
  guint64 frame_count = 0;
  int live = -1;  // -1: not asked yet
  bool failed = false;

  // Set in start(), cleared in stop(); jobs and reloads only run in between.
  std::unique_ptr<rvgst::Analyzer> analyzer;
  rvgst::InferenceWorker worker;
  rvgst::FrameConverter converter;  // streaming thread only

  std::mutex reload_lock;  // serialises reload threads against stop()
  std::thread reload_thread;
  bool running = false;  // under reload_lock
};

struct GstRvFilterPrivate {
  FilterState* state;
};

enum {
  PROP_0,
  PROP_MODEL_FILE,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_NUM_THREADS,
  PROP_INFERENCE_INTERVAL,
  PROP_MAX_INPUT_SIZE,
  PROP_ON_BUSY,
  PROP_POST_MESSAGES,
  PROP_DRAW_OVERLAY,
  PROP_OVERLAY_ALPHA,
  PROP_STATS,
};

GType precision_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RV_PRECISION_FP32, "32-bit floating point", "fp32"},
      {GST_RV_PRECISION_FP16, "16-bit floating point (CUDA only)", "fp16"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRvPrecision", values));
  return type;
}

GType on_busy_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RV_ON_BUSY_AUTO, "drop when the source is live, wait otherwise", "auto"},
      {GST_RV_ON_BUSY_DROP, "never wait: frames pass with the last result, marked stale", "drop"},
      {GST_RV_ON_BUSY_WAIT, "wait for each inference (every inferred frame carries its own result)", "wait"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRvOnBusy", values));
  return type;
}

}  // namespace

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(GstRvFilter, gst_rv_filter, GST_TYPE_VIDEO_FILTER)

namespace {

FilterState* state_of(GstRvFilter* self) {
  return static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(self))->state;
}

GstRvFilterClass* class_of(GstRvFilter* self) { return GST_RV_FILTER_GET_CLASS(self); }

const char* task_name(GstRvFilter* self) { return class_of(self)->task == rv::Task::Count ? "counting" : "quality"; }

GstStructure* build_message(GstRvFilter* self, const rvgst::FrameInfo& frame, const rvgst::FrameResult& result,
                            bool stale) {
  GstRvFilterClass* klass = class_of(self);
  GstStructure* s = gst_structure_new_empty(klass->message_name);
  gst_rv_filter_set_timing(s, frame);
  gst_structure_set(s, klass->value_field, G_TYPE_DOUBLE, result.value, "stale", G_TYPE_BOOLEAN, stale,
                    "result-frame-number", G_TYPE_UINT64, result.frame.number, "inference-ms", G_TYPE_DOUBLE,
                    result.inference_ms, "alert", G_TYPE_BOOLEAN, result.alert, nullptr);
  if (klass->fill_message) klass->fill_message(self, result, s);
  return s;
}

void post_frame_message(GstRvFilter* self, const rvgst::FrameInfo& frame, const rvgst::FrameResult& result,
                        bool stale) {
  gst_rv_filter_post(self, build_message(self, frame, result, stale));
}

// Runs on the worker thread (or, with on-busy=wait, while the streaming thread waits).
void run_job(GstRvFilter* self, const rvgst::PackedFrame& pixels, const rvgst::JobSettings& settings,
             const rvgst::FrameInfo& frame) {
  FilterState* st = state_of(self);
  rvgst::FrameResult result;
  result.frame = frame;
  result.valid = true;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    st->analyzer->analyze(pixels.view, settings, result);
    if (result.inference_ms <= 0)
      result.inference_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (class_of(self)->finish_result) class_of(self)->finish_result(self, result);
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(st->lock);
      st->failed = true;
    }
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Inference failed on frame %" G_GUINT64_FORMAT ": %s", frame.number, e.what()),
                      (nullptr));
    return;
  }
  bool post;
  {
    std::lock_guard<std::mutex> lock(st->lock);
    st->latest = result;
    st->stats.inferences++;
    st->stats.total_ms += result.inference_ms;
    st->stats.last_ms = result.inference_ms;
    post = st->post_messages;
  }
  if (post) post_frame_message(self, frame, result, false);
}

void join_reload(FilterState* st) {
  if (st->reload_thread.joinable()) st->reload_thread.join();
}

// Hot reload: load in the background and swap between frames; the old model
// keeps running until the new one is ready, and stays when the file is bad.
void start_reload(GstRvFilter* self, const std::string& path) {
  FilterState* st = state_of(self);
  std::lock_guard<std::mutex> guard(st->reload_lock);
  if (!st->running) return;  // applied at the next start
  join_reload(st);
  gst_object_ref(self);
  st->reload_thread = std::thread([self, st, path] {
    try {
      if (path.empty()) rv::throw_input_error("model-file", "an empty path cannot be loaded while running");
      st->analyzer->reload(path);
      std::string described = st->analyzer->describe();
      {
        std::lock_guard<std::mutex> lock(st->lock);
        st->running_model = path;
      }
      GST_INFO_OBJECT(self, "model swapped to %s (%s)", path.c_str(), described.c_str());
      gst_rv_filter_post(self, gst_structure_new("model-updated", "model-file", G_TYPE_STRING, path.c_str(),
                                                 "model", G_TYPE_STRING, described.c_str(), nullptr));
    } catch (const std::exception& e) {
      std::string keep;
      {
        std::lock_guard<std::mutex> lock(st->lock);
        keep = st->running_model;
        st->model_file = keep;  // the property names the model that runs
      }
      GST_ELEMENT_WARNING(self, RESOURCE, READ,
                          ("Could not reload the %s model \"%s\"; keeping \"%s\": %s", task_name(self), path.c_str(),
                           keep.c_str(), e.what()),
                          (nullptr));
    }
    gst_object_unref(self);
  });
}

GstStructure* stats_structure(FilterState* st) {
  std::lock_guard<std::mutex> lock(st->lock);
  const Stats& s = st->stats;
  return gst_structure_new("stats", "frames", G_TYPE_UINT64, s.frames, "inferences", G_TYPE_UINT64, s.inferences,
                           "skipped", G_TYPE_UINT64, s.interval_skipped + s.dropped, "dropped", G_TYPE_UINT64,
                           s.dropped, "mean-inference-ms", G_TYPE_DOUBLE,
                           s.inferences ? s.total_ms / s.inferences : 0.0, "last-inference-ms", G_TYPE_DOUBLE,
                           s.last_ms, nullptr);
}

// ---- GObject ----------------------------------------------------------------

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  GstRvFilter* self = GST_RV_FILTER(object);
  FilterState* st = state_of(self);
  std::string reload;
  bool do_reload = false;
  {
    std::lock_guard<std::mutex> lock(st->lock);
    switch (id) {
      case PROP_MODEL_FILE: {
        // Setting it again, even to the same path, reloads: adaptation
        // rewrites the file in place and then pokes the property.
        const char* s = g_value_get_string(value);
        st->model_file = s ? s : "";
        reload = st->model_file;
        do_reload = true;
        break;
      }
      case PROP_DEVICE: {
        const char* s = g_value_get_string(value);
        st->device = s ? s : "cpu";
        break;
      }
      case PROP_PRECISION: st->precision = static_cast<GstRvPrecision>(g_value_get_enum(value)); break;
      case PROP_NUM_THREADS: st->num_threads = g_value_get_int(value); break;
      case PROP_INFERENCE_INTERVAL: st->interval = std::max(1u, g_value_get_uint(value)); break;
      case PROP_MAX_INPUT_SIZE: st->max_input_size = g_value_get_int(value); break;
      case PROP_ON_BUSY: st->on_busy = static_cast<GstRvOnBusy>(g_value_get_enum(value)); break;
      case PROP_POST_MESSAGES: st->post_messages = g_value_get_boolean(value); break;
      case PROP_DRAW_OVERLAY: st->draw_overlay = g_value_get_boolean(value); break;
      case PROP_OVERLAY_ALPHA: st->overlay_alpha = g_value_get_double(value); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
    }
  }
  if (do_reload) start_reload(self, reload);
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  GstRvFilter* self = GST_RV_FILTER(object);
  FilterState* st = state_of(self);
  if (id == PROP_STATS) {
    g_value_take_boxed(value, stats_structure(st));
    return;
  }
  std::lock_guard<std::mutex> lock(st->lock);
  switch (id) {
    case PROP_MODEL_FILE: g_value_set_string(value, st->model_file.empty() ? nullptr : st->model_file.c_str()); break;
    case PROP_DEVICE: g_value_set_string(value, st->device.c_str()); break;
    case PROP_PRECISION: g_value_set_enum(value, st->precision); break;
    case PROP_NUM_THREADS: g_value_set_int(value, st->num_threads); break;
    case PROP_INFERENCE_INTERVAL: g_value_set_uint(value, st->interval); break;
    case PROP_MAX_INPUT_SIZE: g_value_set_int(value, st->max_input_size); break;
    case PROP_ON_BUSY: g_value_set_enum(value, st->on_busy); break;
    case PROP_POST_MESSAGES: g_value_set_boolean(value, st->post_messages); break;
    case PROP_DRAW_OVERLAY: g_value_set_boolean(value, st->draw_overlay); break;
    case PROP_OVERLAY_ALPHA: g_value_set_double(value, st->overlay_alpha); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

void finalize(GObject* object) {
  GstRvFilter* self = GST_RV_FILTER(object);
  auto* priv = static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(self));
  if (priv->state) {
    priv->state->worker.stop();
    join_reload(priv->state);
    delete priv->state;
    priv->state = nullptr;
  }
  G_OBJECT_CLASS(gst_rv_filter_parent_class)->finalize(object);
}

// ---- GstBaseTransform / GstVideoFilter ------------------------------------------

gboolean start(GstBaseTransform* trans) {
  GstRvFilter* self = GST_RV_FILTER(trans);
  FilterState* st = state_of(self);
  GstRvFilterClass* klass = class_of(self);
  std::string path;
  rv::EngineOptions options;
  {
    std::lock_guard<std::mutex> lock(st->lock);
    path = st->model_file;
    options.device = st->device;
    options.fp16 = st->precision == GST_RV_PRECISION_FP16;
    options.num_threads = st->num_threads;
    options.max_input_size = st->max_input_size;
  }
  try {
    rv::parse_device(options.device);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Invalid device \"%s\": %s", options.device.c_str(), e.what()),
                      (nullptr));
    return FALSE;
  }
  if (path.empty()) {
    path = rv::default_model_path(klass->task);
    if (path.empty()) {
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                        ("No model-file set and no default %s model is installed", task_name(self)),
                        ("set model-file, or install the default model (RANKVISION_MODEL_DIR overrides the folder)"));
      return FALSE;
    }
    GST_INFO_OBJECT(self, "model-file not set, using the default %s", path.c_str());
  }
  if (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("Could not load the %s model \"%s\": no such file", task_name(self),
                                                  path.c_str()),
                      (nullptr));
    return FALSE;
  }
  std::unique_ptr<rvgst::Analyzer> analyzer;
  try {
    analyzer = klass->create_analyzer(path, options);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Could not load the %s model \"%s\": %s", task_name(self),
                                                 path.c_str(), e.what()),
                      ("device=%s precision=%s", options.device.c_str(), options.fp16 ? "fp16" : "fp32"));
    return FALSE;
  }
  GST_INFO_OBJECT(self, "loaded %s (%s) on %s", path.c_str(), analyzer->describe().c_str(), options.device.c_str());
  {
    std::lock_guard<std::mutex> lock(st->lock);
    st->analyzer = std::move(analyzer);
    st->running_model = path;
    st->latest = rvgst::FrameResult();
    st->stats = Stats();
    st->frame_count = 0;
    st->live = -1;
    st->failed = false;
  }
  if (klass->reset) klass->reset(self);
  st->worker.start();
  {
    std::lock_guard<std::mutex> guard(st->reload_lock);
    st->running = true;
  }
  return TRUE;
}

gboolean stop(GstBaseTransform* trans) {
  GstRvFilter* self = GST_RV_FILTER(trans);
  FilterState* st = state_of(self);
  {
    std::lock_guard<std::mutex> guard(st->reload_lock);
    st->running = false;
    join_reload(st);
  }
  st->worker.stop();
  std::lock_guard<std::mutex> lock(st->lock);
  st->analyzer.reset();
  return TRUE;
}

gboolean set_info(GstVideoFilter* filter, GstCaps*, GstVideoInfo* in_info, GstCaps*, GstVideoInfo*) {
  GstRvFilter* self = GST_RV_FILTER(filter);
  if (!state_of(self)->converter.configure(*in_info)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Unsupported video format %s",
                                                gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(in_info))),
                      (nullptr));
    return FALSE;
  }
  return TRUE;
}

bool resolve_wait(GstRvFilter* self, FilterState* st, GstRvOnBusy mode) {
  if (mode == GST_RV_ON_BUSY_WAIT) return true;
  if (mode == GST_RV_ON_BUSY_DROP) return false;
  if (st->live < 0) {
    // Live sources must never stall; files and generated streams are processed completely.
    gboolean live = FALSE;
    GstQuery* q = gst_query_new_latency();
    if (gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(self), q)) gst_query_parse_latency(q, &live, nullptr, nullptr);
    gst_query_unref(q);
    st->live = live ? 1 : 0;
    GST_INFO_OBJECT(self, "upstream is %slive: on-busy=auto %s", live ? "" : "not ", live ? "drops" : "waits");
  }
  return st->live == 0;
}

GstFlowReturn transform_ip(GstBaseTransform* trans, GstBuffer* buf) {
  GstRvFilter* self = GST_RV_FILTER(trans);
  GstVideoFilter* vf = GST_VIDEO_FILTER(trans);
  FilterState* st = state_of(self);
  GstRvFilterClass* klass = class_of(self);
  if (!vf->negotiated) return GST_FLOW_NOT_NEGOTIATED;

  rvgst::FrameInfo frame;
  frame.pts = GST_BUFFER_PTS(buf);
  frame.duration = GST_BUFFER_DURATION(buf);
  if (GST_CLOCK_TIME_IS_VALID(frame.pts)) {
    frame.stream_time = gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, frame.pts);
    frame.running_time = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, frame.pts);
  }
  guint interval;
  GstRvOnBusy on_busy;
  bool post;
  {
    std::lock_guard<std::mutex> lock(st->lock);
    if (st->failed) return GST_FLOW_ERROR;
    frame.number = st->frame_count++;
    interval = st->interval;
    on_busy = st->on_busy;
    post = st->post_messages;
  }
  const bool due = frame.number % interval == 0;
  const bool draw = klass->wants_draw && klass->wants_draw(self);

  GstVideoFrame video;
  // Mapped writable only when drawing, so passing frames are never copied.
  // NO_REF: a mapped frame holding a second reference would make the buffer
  // read-only, and the meta could not be added.
  const auto flags = static_cast<GstMapFlags>((draw ? GST_MAP_READWRITE : GST_MAP_READ) | GST_VIDEO_FRAME_MAP_FLAG_NO_REF);
  if (!gst_video_frame_map(&video, &vf->in_info, buf, flags)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Could not map the video frame"), (nullptr));
    return GST_FLOW_ERROR;
  }

  bool submitted_async = false;
  if (due) {
    try {
      const bool wait = resolve_wait(self, st, on_busy);
      rvgst::JobSettings settings;
      if (klass->prepare_job) klass->prepare_job(self, &vf->in_info, settings);
      std::shared_ptr<rvgst::PackedFrame> pixels = st->converter.convert(video, /*own=*/!wait);
      if (!pixels) throw rv::Error("could not convert the frame to RGB");
      auto job = [self, pixels, settings = std::move(settings), frame] { run_job(self, *pixels, settings, frame); };
      if (wait) {
        st->worker.run_and_wait(job);
      } else {
        // A frame waiting for the network is replaced by this one: it passed
        // long ago with the last result, and now its message says so.
        auto on_discard = [self, st, frame] {
          rvgst::FrameResult last;
          bool post_it;
          {
            std::lock_guard<std::mutex> lock(st->lock);
            st->stats.dropped++;
            last = st->latest;
            post_it = st->post_messages && last.valid;
          }
          if (post_it) post_frame_message(self, frame, last, true);
        };
        submitted_async = st->worker.submit(job, on_discard);
      }
    } catch (const std::exception& e) {
      gst_video_frame_unmap(&video);
      GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Could not queue frame %" G_GUINT64_FORMAT ": %s", frame.number,
                                               e.what()),
                        (nullptr));
      return GST_FLOW_ERROR;
    }
  }

  rvgst::FrameResult latest;
  {
    std::lock_guard<std::mutex> lock(st->lock);
    if (st->failed) {
      gst_video_frame_unmap(&video);
      return GST_FLOW_ERROR;
    }
    latest = st->latest;
    st->stats.frames++;
    if (!due) st->stats.interval_skipped++;
  }
  const bool fresh = latest.valid && latest.frame.number == frame.number;
  if (latest.valid) {
    try {
      const bool with_density = klass->wants_density_meta && klass->wants_density_meta(self);
      rvgst::add_meta(buf, klass->kind, latest, !fresh, with_density);
      // A frame queued for the network gets its message when the result is in.
      if (post && !fresh && !submitted_async) post_frame_message(self, frame, latest, true);
      if (draw) {
        rvgst::Canvas canvas(video);
        klass->draw(self, latest, !fresh, canvas);
      }
    } catch (const std::exception& e) {
      GST_ELEMENT_WARNING(self, STREAM, FAILED, ("Could not annotate frame %" G_GUINT64_FORMAT ": %s", frame.number,
                                                 e.what()),
                          (nullptr));
    }
  }
  gst_video_frame_unmap(&video);
  return GST_FLOW_OK;
}

gboolean sink_event(GstBaseTransform* trans, GstEvent* event) {
  FilterState* st = state_of(GST_RV_FILTER(trans));
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS:
      // Every queued frame gets its result and message before EOS goes on.
      st->worker.drain();
      break;
    case GST_EVENT_FLUSH_START:
      st->worker.discard_pending();
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rv_filter_parent_class)->sink_event(trans, event);
}

}  // namespace

// ---- class ----------------------------------------------------------------------

static void gst_rv_filter_class_init(GstRvFilterClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  GstVideoFilterClass* vf_class = GST_VIDEO_FILTER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_rv_filter_debug, "rvfilter", 0, "rankvision elements (shared part)");

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;

  const auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const auto playing = static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_PLAYING);
  const auto ready = static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_READY);

  /**
   * GstRvFilter:model-file:
   *
   * Model bundle (.rvm, or TorchScript with a sidecar JSON). Unset: the default
   * model installed with the plugin. Setting it while PLAYING loads the file in
   * the background and swaps it in between frames (a `model-updated` element
   * message follows); a bad file posts a warning and the old model keeps running.
   */
  g_object_class_install_property(gobject_class, PROP_MODEL_FILE,
      g_param_spec_string("model-file", "Model file",
                          "Model bundle to run; unset = the installed default model. Can be changed while PLAYING "
                          "(hot reload: loaded in the background, swapped between frames, 'model-updated' message)",
                          nullptr, playing));
  g_object_class_install_property(gobject_class, PROP_DEVICE,
      g_param_spec_string("device", "Device", "Where the network runs: cpu, cuda or cuda:N", "cpu", ready));
  g_object_class_install_property(gobject_class, PROP_PRECISION,
      g_param_spec_enum("precision", "Precision", "Arithmetic of the network (fp16 needs CUDA)", precision_get_type(),
                        GST_RV_PRECISION_FP32, ready));
  g_object_class_install_property(gobject_class, PROP_NUM_THREADS,
      g_param_spec_int("num-threads", "Threads",
                       "CPU threads for the network (process-wide LibTorch setting); 0 = LibTorch's default", 0, 256,
                       0, ready));
  g_object_class_install_property(gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint("inference-interval", "Inference interval",
                        "Run the network on every Nth frame; frames in between carry the last result, marked stale",
                        1, G_MAXUINT, 1, playing));
  g_object_class_install_property(gobject_class, PROP_MAX_INPUT_SIZE,
      g_param_spec_int("max-input-size", "Max input size",
                       "Downscale frames so the long side is at most this before inference (results stay in frame "
                       "units); 0 = full size",
                       0, 16384, 0, ready));
  g_object_class_install_property(gobject_class, PROP_ON_BUSY,
      g_param_spec_enum("on-busy", "On busy",
                        "What a frame does while the network is still busy with an earlier one: drop (pass with the "
                        "last result, stale; live sources never stall), wait (block until its own result), or auto "
                        "(drop for live sources, wait otherwise)",
                        on_busy_get_type(), GST_RV_ON_BUSY_AUTO, playing));
  g_object_class_install_property(gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean("post-messages", "Post messages",
                           "Post an element message on the bus for every frame (see the element description)", TRUE,
                           playing));
  g_object_class_install_property(gobject_class, PROP_DRAW_OVERLAY,
      g_param_spec_boolean("draw-overlay", "Draw overlay",
                           "Draw the result on the frame (crowdcount: density heat map and zones; iqascore: score "
                           "and bar). Off: frames pass untouched",
                           FALSE, playing));
  g_object_class_install_property(gobject_class, PROP_OVERLAY_ALPHA,
      g_param_spec_double("overlay-alpha", "Overlay alpha", "Opacity of the overlay (0 = invisible, 1 = opaque)", 0.0,
                          1.0, 0.5, playing));
  g_object_class_install_property(gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "frames, inferences, skipped (frames without their own inference), dropped (skipped "
                         "because the network was busy), mean-inference-ms, last-inference-ms",
                         GST_TYPE_STRUCTURE, static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  GstCaps* caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE("{ RGB, BGR, RGBx, BGRx, RGBA, BGRA, I420, NV12 }"));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  trans_class->start = start;
  trans_class->stop = stop;
  trans_class->transform_ip = transform_ip;
  trans_class->sink_event = sink_event;
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
  vf_class->set_info = set_info;

  gst_type_mark_as_plugin_api(GST_TYPE_RV_FILTER, static_cast<GstPluginAPIFlags>(0));
  gst_type_mark_as_plugin_api(precision_get_type(), static_cast<GstPluginAPIFlags>(0));
  gst_type_mark_as_plugin_api(on_busy_get_type(), static_cast<GstPluginAPIFlags>(0));
}

static void gst_rv_filter_init(GstRvFilter* self) {
  auto* priv = static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(self));
  priv->state = new FilterState();
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

// ---- helpers for subclasses ---------------------------------------------------------

rvgst::FrameResult gst_rv_filter_latest_result(GstRvFilter* self) {
  FilterState* st = state_of(self);
  std::lock_guard<std::mutex> lock(st->lock);
  return st->latest;
}

gboolean gst_rv_filter_draw_overlay(GstRvFilter* self, double* alpha) {
  FilterState* st = state_of(self);
  std::lock_guard<std::mutex> lock(st->lock);
  if (alpha) *alpha = st->overlay_alpha;
  return st->draw_overlay;
}

void gst_rv_filter_set_timing(GstStructure* s, const rvgst::FrameInfo& frame) {
  gst_structure_set(s, "timestamp", G_TYPE_UINT64, frame.pts, "stream-time", G_TYPE_UINT64, frame.stream_time,
                    "running-time", G_TYPE_UINT64, frame.running_time, "duration", G_TYPE_UINT64, frame.duration,
                    "frame-number", G_TYPE_UINT64, frame.number, nullptr);
}

void gst_rv_filter_post(GstRvFilter* self, GstStructure* s) {
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}
