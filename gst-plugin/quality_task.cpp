#include "quality_task.h"

#include <glib.h>

#include <algorithm>
#include <cmath>

#include "overlay.h"

namespace rvgst {

QualitySettings QualityTask::settings() const {
  std::lock_guard<std::mutex> lock(lock_);
  return settings_;
}

void QualityTask::update(const std::function<void(QualitySettings&)>& change) {
  std::lock_guard<std::mutex> lock(lock_);
  change(settings_);
}

void QualityTask::reset() {
  std::lock_guard<std::mutex> lock(lock_);
  have_smoothed_ = false;
  alert_ = false;
}

FramePlan QualityTask::plan(const GstVideoInfo&, const OverlaySettings& overlay) {
  FramePlan plan;
  plan.overlay = overlay;
  plan.draw = overlay.enabled;
  return plan;
}

// Worker thread, in frame order: exponential smoothing, then the threshold.
void QualityTask::finish(FrameResult& r, GstElement* element) {
  bool crossed;
  double threshold;
  {
    std::lock_guard<std::mutex> lock(lock_);
    const double s = settings_.smoothing;
    smoothed_ = have_smoothed_ && s > 0 ? s * smoothed_ + (1 - s) * r.raw : r.raw;
    have_smoothed_ = true;
    r.value = smoothed_;
    threshold = settings_.alert_threshold;
    r.alert = threshold > 0 && r.value < threshold;
    crossed = r.alert != alert_;
    alert_ = r.alert;
  }
  if (!crossed) return;
  GstStructure* m = gst_structure_new_empty("iqascore-alert");
  set_timing(m, r.frame);
  gst_structure_set(m, "score", G_TYPE_DOUBLE, r.value, "threshold", G_TYPE_DOUBLE, threshold, "alert",
                    G_TYPE_BOOLEAN, r.alert, nullptr);
  post_message(element, m);
}

void QualityTask::fill_message(const FrameResult& r, GstStructure* m) const {
  gst_structure_set(m, "raw-score", G_TYPE_DOUBLE, r.raw, "network-output", G_TYPE_DOUBLE, r.net_output, nullptr);
}

void QualityTask::draw(const FrameResult& r, const FramePlan&, Canvas& canvas) {
  char text[64];
  g_snprintf(text, sizeof text, "QUALITY %.0f%s", r.value, r.alert ? " ALERT" : "");
  // Red at 0, green at 100.
  const double t = std::clamp(r.value / 100.0, 0.0, 1.0);
  const Rgb colour{static_cast<uint8_t>(std::lround(255 * (1 - t))), static_cast<uint8_t>(std::lround(220 * t)), 40};
  draw_label(canvas, text, 0, r.alert ? Rgb{255, 64, 64} : Rgb{255, 255, 255}, /*right=*/true);
  draw_bar(canvas, t, 1, colour, /*right=*/true);
}

}  // namespace rvgst
