/**
 * SECTION:element-iqascore
 * @title: iqascore
 *
 * Scores the picture quality of every frame (no-reference IQA with the
 * self-supervised learning-to-rank network of rankvision): 0–100, higher is
 * better; the model bundle says how the network's raw output maps to it.
 * Typical use is camera health: a blurred, noisy, over-compressed or covered
 * lens drives the score down.
 *
 * Results: an `iqascore` element message per frame with `timestamp`,
 * `stream-time`, `running-time`, `duration`, `frame-number`, `score` (after
 * smoothing), `raw-score` (this frame alone), `network-output`, `stale`,
 * `alert`, `inference-ms` and `result-frame-number`; a #GstRankvisionMeta on
 * every buffer; the read-only `score` and `stats` properties. An
 * `iqascore-alert` message (`score`, `threshold`, `alert`) marks each crossing of
 * `alert-threshold`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m v4l2src ! videoconvert ! \
 *     iqascore inference-interval=25 smoothing=0.8 alert-threshold=40 draw-overlay=true ! \
 *     videoconvert ! autovideosink
 * ]|
 */
#include "gstiqascore.h"

#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "overlay.h"
#include "quality_analyzer.h"

GST_DEBUG_CATEGORY_STATIC(gst_iqa_score_debug);
#define GST_CAT_DEFAULT gst_iqa_score_debug

namespace {

struct QualitySettings {
  std::mutex lock;
  double smoothing = 0.0;
  double alert_threshold = 0.0;
  // Worker thread state, in frame order.
  bool have_smoothed = false;
  double smoothed = 0;
  bool alert = false;
};

enum { PROP_0, PROP_SMOOTHING, PROP_ALERT_THRESHOLD, PROP_SCORE };

}  // namespace

struct _GstIqaScore {
  GstRvFilter parent;
  QualitySettings* settings;
};

G_DEFINE_TYPE(GstIqaScore, gst_iqa_score, GST_TYPE_RV_FILTER)

namespace {

QualitySettings* settings_of(gpointer self) { return GST_IQA_SCORE(self)->settings; }

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  QualitySettings* s = settings_of(object);
  std::lock_guard<std::mutex> lock(s->lock);
  switch (id) {
    case PROP_SMOOTHING: s->smoothing = g_value_get_double(value); break;
    case PROP_ALERT_THRESHOLD: s->alert_threshold = g_value_get_double(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  if (id == PROP_SCORE) {
    rvgst::FrameResult r = gst_rv_filter_latest_result(GST_RV_FILTER(object));
    g_value_set_double(value, r.valid ? r.value : 0.0);
    return;
  }
  QualitySettings* s = settings_of(object);
  std::lock_guard<std::mutex> lock(s->lock);
  switch (id) {
    case PROP_SMOOTHING: g_value_set_double(value, s->smoothing); break;
    case PROP_ALERT_THRESHOLD: g_value_set_double(value, s->alert_threshold); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

void finalize(GObject* object) {
  delete settings_of(object);
  GST_IQA_SCORE(object)->settings = nullptr;
  G_OBJECT_CLASS(gst_iqa_score_parent_class)->finalize(object);
}

std::unique_ptr<rvgst::Analyzer> create_analyzer(const std::string& path, const rv::EngineOptions& options) {
  return std::make_unique<rvgst::QualityAnalyzer>(path, options);
}

// Worker thread, in frame order: exponential smoothing, then the threshold.
void finish_result(GstRvFilter* self, rvgst::FrameResult& r) {
  QualitySettings* s = settings_of(self);
  bool crossed;
  double threshold;
  {
    std::lock_guard<std::mutex> lock(s->lock);
    if (s->have_smoothed && s->smoothing > 0)
      s->smoothed = s->smoothing * s->smoothed + (1 - s->smoothing) * r.raw;
    else
      s->smoothed = r.raw;
    s->have_smoothed = true;
    r.value = s->smoothed;
    threshold = s->alert_threshold;
    r.alert = threshold > 0 && r.value < threshold;
    crossed = r.alert != s->alert;
    s->alert = r.alert;
  }
  if (crossed) {
    GstStructure* m = gst_structure_new_empty("iqascore-alert");
    gst_rv_filter_set_timing(m, r.frame);
    gst_structure_set(m, "score", G_TYPE_DOUBLE, r.value, "threshold", G_TYPE_DOUBLE, threshold, "alert",
                      G_TYPE_BOOLEAN, r.alert, nullptr);
    gst_rv_filter_post(self, m);
  }
}

void fill_message(GstRvFilter*, const rvgst::FrameResult& r, GstStructure* m) {
  gst_structure_set(m, "raw-score", G_TYPE_DOUBLE, r.raw, "network-output", G_TYPE_DOUBLE, r.net_output, nullptr);
}

gboolean wants_draw(GstRvFilter* self) { return gst_rv_filter_draw_overlay(self, nullptr); }

void draw(GstRvFilter*, const rvgst::FrameResult& r, gboolean, rvgst::Canvas& canvas) {
  char text[64];
  g_snprintf(text, sizeof text, "QUALITY %.0f%s", r.value, r.alert ? " ALERT" : "");
  // Red at 0, green at 100.
  const double t = std::clamp(r.value / 100.0, 0.0, 1.0);
  const rvgst::Rgb colour{static_cast<uint8_t>(std::lround(255 * (1 - t))), static_cast<uint8_t>(std::lround(220 * t)),
                          40};
  rvgst::draw_label(canvas, text, 0, r.alert ? rvgst::Rgb{255, 64, 64} : rvgst::Rgb{255, 255, 255}, /*right=*/true);
  rvgst::draw_bar(canvas, t, 1, colour, /*right=*/true);
}

void reset(GstRvFilter* self) {
  QualitySettings* s = settings_of(self);
  std::lock_guard<std::mutex> lock(s->lock);
  s->have_smoothed = false;
  s->alert = false;
}

}  // namespace

static void gst_iqa_score_class_init(GstIqaScoreClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstRvFilterClass* rv_class = GST_RV_FILTER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_iqa_score_debug, "iqascore", 0, "image quality element");

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;

  const auto playing =
      static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(gobject_class, PROP_SMOOTHING,
      g_param_spec_double("smoothing", "Smoothing",
                          "Exponential smoothing of the score over inferred frames: score = s × previous + (1 − s) × "
                          "this frame; 0 = none",
                          0.0, 0.999, 0.0, playing));
  g_object_class_install_property(gobject_class, PROP_ALERT_THRESHOLD,
      g_param_spec_double("alert-threshold", "Alert threshold",
                          "Post an iqascore-alert message when the (smoothed) score falls below this, and again when "
                          "it recovers; 0 = off",
                          0.0, 100.0, 0.0, playing));
  g_object_class_install_property(gobject_class, PROP_SCORE,
      g_param_spec_double("score", "Score", "The latest (smoothed) quality score, 0–100", 0.0, 100.0, 0.0,
                          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_set_static_metadata(element_class, "Image quality scorer", "Filter/Analyzer/Video",
      "Scores picture quality (0–100, higher is better) with a no-reference IQA network; posts per-frame messages "
      "and alerts, attaches a GstRankvisionMeta and optionally draws the score",
      "rankvision developers");

  rv_class->kind = GST_RANKVISION_RESULT_QUALITY;
  rv_class->task = rv::Task::Quality;
  rv_class->message_name = "iqascore";
  rv_class->value_field = "score";
  rv_class->create_analyzer = create_analyzer;
  rv_class->prepare_job = nullptr;
  rv_class->finish_result = finish_result;
  rv_class->fill_message = fill_message;
  rv_class->wants_draw = wants_draw;
  rv_class->draw = draw;
  rv_class->wants_density_meta = nullptr;
  rv_class->reset = reset;
}

static void gst_iqa_score_init(GstIqaScore* self) { self->settings = new QualitySettings(); }
