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

#include <memory>

#include "quality_task.h"

GST_DEBUG_CATEGORY_STATIC(gst_iqa_score_debug);
#define GST_CAT_DEFAULT gst_iqa_score_debug

namespace {
enum { PROP_0, PROP_SMOOTHING, PROP_ALERT_THRESHOLD, PROP_SCORE };
}  // namespace

struct _GstIqaScore {
  GstRvFilter parent;
  rvgst::QualityTask* task;  // owned by the base's FrameFlow
};

G_DEFINE_TYPE(GstIqaScore, gst_iqa_score, GST_TYPE_RV_FILTER)

namespace {

rvgst::QualityTask* task_of(gpointer self) { return GST_IQA_SCORE(self)->task; }

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  task_of(object)->update([&](rvgst::QualitySettings& s) {
    switch (id) {
      case PROP_SMOOTHING: s.smoothing = g_value_get_double(value); break;
      case PROP_ALERT_THRESHOLD: s.alert_threshold = g_value_get_double(value); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
    }
  });
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  if (id == PROP_SCORE) {
    rvgst::FrameResult r = gst_rv_filter_latest_result(GST_RV_FILTER(object));
    g_value_set_double(value, r.valid ? r.value : 0.0);
    return;
  }
  const rvgst::QualitySettings s = task_of(object)->settings();
  switch (id) {
    case PROP_SMOOTHING: g_value_set_double(value, s.smoothing); break;
    case PROP_ALERT_THRESHOLD: g_value_set_double(value, s.alert_threshold); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

}  // namespace

static void gst_iqa_score_class_init(GstIqaScoreClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_iqa_score_debug, "iqascore", 0, "image quality element");

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;

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

}

static void gst_iqa_score_init(GstIqaScore* self) {
  auto task = std::make_unique<rvgst::QualityTask>();
  self->task = task.get();
  gst_rv_filter_set_task(GST_RV_FILTER(self), std::move(task));
}
