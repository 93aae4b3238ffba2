#include "gstrvfilter.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "frame_flow.h"

GST_DEBUG_CATEGORY_STATIC(gst_rv_filter_debug);
#define GST_CAT_DEFAULT gst_rv_filter_debug

namespace {

struct GstRvFilterPrivate {
  rvgst::FrameFlow* flow;  // created when the subclass sets its task, deleted in finalize
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
  PROP_RESULTS_LOCATION,
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

rvgst::FrameFlow* flow_of(gpointer self) {
  return static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(GST_RV_FILTER(self)))->flow;
}

// ---- GObject ----------------------------------------------------------------

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  rvgst::FrameFlow* flow = flow_of(object);
  if (id == PROP_MODEL_FILE) {
    const char* path = g_value_get_string(value);
    flow->set_model_file(path ? path : "");
    return;
  }
  flow->update_settings([&](rvgst::FlowSettings& s) {
    switch (id) {
      case PROP_DEVICE: {
        const char* device = g_value_get_string(value);
        s.device = device ? device : "cpu";
        break;
      }
      case PROP_PRECISION: s.fp16 = g_value_get_enum(value) == GST_RV_PRECISION_FP16; break;
      case PROP_NUM_THREADS: s.num_threads = g_value_get_int(value); break;
      case PROP_INFERENCE_INTERVAL: s.interval = g_value_get_uint(value); break;
      case PROP_MAX_INPUT_SIZE: s.max_input_size = g_value_get_int(value); break;
      case PROP_ON_BUSY: s.on_busy = static_cast<rvgst::OnBusy>(g_value_get_enum(value)); break;
      case PROP_POST_MESSAGES: s.post_messages = g_value_get_boolean(value); break;
      case PROP_DRAW_OVERLAY: s.overlay.enabled = g_value_get_boolean(value); break;
      case PROP_OVERLAY_ALPHA: s.overlay.alpha = g_value_get_double(value); break;
      case PROP_RESULTS_LOCATION: {
        const char* location = g_value_get_string(value);
        s.results_location = location ? location : "";
        break;
      }
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
    }
  });
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  rvgst::FrameFlow* flow = flow_of(object);
  if (id == PROP_STATS) {
    g_value_take_boxed(value, flow->stats());
    return;
  }
  const rvgst::FlowSettings s = flow->settings();
  switch (id) {
    case PROP_MODEL_FILE: g_value_set_string(value, s.model_file.empty() ? nullptr : s.model_file.c_str()); break;
    case PROP_DEVICE: g_value_set_string(value, s.device.c_str()); break;
    case PROP_PRECISION: g_value_set_enum(value, s.fp16 ? GST_RV_PRECISION_FP16 : GST_RV_PRECISION_FP32); break;
    case PROP_NUM_THREADS: g_value_set_int(value, s.num_threads); break;
    case PROP_INFERENCE_INTERVAL: g_value_set_uint(value, s.interval); break;
    case PROP_MAX_INPUT_SIZE: g_value_set_int(value, s.max_input_size); break;
    case PROP_ON_BUSY: g_value_set_enum(value, static_cast<int>(s.on_busy)); break;
    case PROP_POST_MESSAGES: g_value_set_boolean(value, s.post_messages); break;
    case PROP_DRAW_OVERLAY: g_value_set_boolean(value, s.overlay.enabled); break;
    case PROP_OVERLAY_ALPHA: g_value_set_double(value, s.overlay.alpha); break;
    case PROP_RESULTS_LOCATION:
      g_value_set_string(value, s.results_location.empty() ? nullptr : s.results_location.c_str());
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

void finalize(GObject* object) {
  auto* priv = static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(GST_RV_FILTER(object)));
  delete priv->flow;
  priv->flow = nullptr;
  G_OBJECT_CLASS(gst_rv_filter_parent_class)->finalize(object);
}

// ---- GstBaseTransform / GstVideoFilter: all in FrameFlow ------------------------

gboolean start(GstBaseTransform* trans) { return flow_of(trans)->start(); }

gboolean stop(GstBaseTransform* trans) {
  flow_of(trans)->stop();
  return TRUE;
}

gboolean set_info(GstVideoFilter* filter, GstCaps*, GstVideoInfo* in_info, GstCaps*, GstVideoInfo*) {
  return flow_of(filter)->configure(*in_info);
}

GstFlowReturn transform_ip(GstBaseTransform* trans, GstBuffer* buf) {
  GstVideoFilter* filter = GST_VIDEO_FILTER(trans);
  if (!filter->negotiated) return GST_FLOW_NOT_NEGOTIATED;
  return flow_of(trans)->process(buf, filter->in_info, trans->segment);
}

gboolean sink_event(GstBaseTransform* trans, GstEvent* event) {
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS: flow_of(trans)->drain(); break;  // every queued frame gets its result and message first
    case GST_EVENT_FLUSH_START: flow_of(trans)->discard_pending(); break;
    default: break;
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
                       "CPU threads for the network (process-wide LibTorch setting); 0 = one per CPU core", 0, 256,
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
      g_param_spec_double("overlay-alpha", "Overlay alpha",
                          "Opacity of the heat map at its peak (0 = no overlay drawn, 1 = opaque)", 0.0, 1.0, 0.6,
                          playing));
  g_object_class_install_property(gobject_class, PROP_RESULTS_LOCATION,
      g_param_spec_string("results-location", "Results location",
                          "Where per-frame results go as JSON lines, one object per frame with the fields of the "
                          "bus message: a file (appended to), - for standard output, or mqtt://HOST[:PORT]/TOPIC. "
                          "Empty: nowhere",
                          nullptr, ready));
  g_object_class_install_property(gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "frames, inferences, skipped (frames without their own inference), dropped (skipped "
                         "because the network was busy), mean-inference-ms, last-inference-ms",
                         GST_TYPE_STRUCTURE, static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  g_autoptr(GstCaps) caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE("{ RGB, BGR, RGBx, BGRx, RGBA, BGRA, I420, NV12 }"));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));

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
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

// ---- for subclasses ---------------------------------------------------------------

void gst_rv_filter_set_task(GstRvFilter* self, std::unique_ptr<rvgst::ElementTask> task) {
  auto* priv = static_cast<GstRvFilterPrivate*>(gst_rv_filter_get_instance_private(self));
  delete priv->flow;
  priv->flow = new rvgst::FrameFlow(GST_BASE_TRANSFORM(self), std::move(task));
}

rvgst::FrameResult gst_rv_filter_latest_result(GstRvFilter* self) { return flow_of(self)->latest(); }
