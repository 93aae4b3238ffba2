#include "count_task.h"

#include <glib.h>

#include <utility>
#include <vector>

#include "overlay.h"

namespace rvgst {

CountSettings CountTask::settings() const {
  std::lock_guard<std::mutex> lock(lock_);
  return settings_;
}

void CountTask::update(const std::function<void(CountSettings&)>& change) {
  std::lock_guard<std::mutex> lock(lock_);
  change(settings_);
}

std::string CountTask::set_region(RegionProperty which, const std::string& text) {
  std::lock_guard<std::mutex> lock(lock_);
  CountSettings& s = settings_;
  try {
    switch (which) {
      case RegionProperty::Roi:
        s.roi = text.empty() ? Polygon() : parse_shape(text, "roi");
        s.roi_text = text;
        break;
      case RegionProperty::Zones:
        s.inline_zones = parse_zones(text);
        s.zones_text = text;
        break;
      case RegionProperty::ZonesFile:
        s.file_zones = text.empty() ? ZoneSet() : load_zones_file(text);
        s.zones_file = text;
        break;
    }
    s.settings_error.clear();
  } catch (const std::exception& e) {
    s.settings_error = e.what();
  }
  return s.settings_error;
}

std::string CountTask::settings_error() const {
  std::lock_guard<std::mutex> lock(lock_);
  return settings_.settings_error;
}

void CountTask::reset() {
  std::lock_guard<std::mutex> lock(lock_);
  frame_alert_ = false;
  zone_alerts_.clear();
}

FramePlan CountTask::plan(const GstVideoInfo& info, const OverlaySettings& overlay) {
  FramePlan plan;
  plan.overlay = overlay;
  {
    std::lock_guard<std::mutex> lock(lock_);
    drawn_ = settings_;
  }
  const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
  plan.job.roi = drawn_.roi;
  plan.job.zones = drawn_.inline_zones.in_pixels(w, h);
  for (auto& z : drawn_.file_zones.in_pixels(w, h)) plan.job.zones.push_back(std::move(z));
  plan.job.want_density = overlay.enabled || drawn_.attach_density;
  plan.density_meta = drawn_.attach_density;
  plan.draw = overlay.enabled || drawn_.draw_count_alone;
  if (!colormap_ || colormap_->id() != drawn_.colormap) colormap_ = std::make_unique<Colormap>(drawn_.colormap);
  return plan;
}

namespace {

void post_alert(GstElement* element, const FrameResult& r, const std::string& zone, double count, double threshold,
                bool raised) {
  GstStructure* m = gst_structure_new_empty("crowdcount-alert");
  set_timing(m, r.frame);
  gst_structure_set(m, "zone", G_TYPE_STRING, zone.c_str(), "count", G_TYPE_DOUBLE, count, "threshold", G_TYPE_DOUBLE,
                    threshold, "alert", G_TYPE_BOOLEAN, raised, nullptr);
  post_message(element, m);
}

std::string format_count(const std::string& label, double value) {
  char text[96];
  g_snprintf(text, sizeof text, "%s %.1f", label.c_str(), value);
  return text;
}

}  // namespace

// Worker thread, in frame order: thresholds and their crossings.
void CountTask::finish(FrameResult& r, GstElement* element) {
  struct Crossing {
    std::string zone;
    double count, threshold;
    bool raised;
  };
  std::vector<Crossing> crossings;
  {
    std::lock_guard<std::mutex> lock(lock_);
    const double threshold = settings_.count_threshold;
    r.alert = threshold >= 0 && r.value > threshold;
    if (r.alert != frame_alert_) crossings.push_back({"frame", r.value, threshold, r.alert});
    frame_alert_ = r.alert;
    for (auto& z : r.zones) {
      z.alert = z.threshold >= 0 && z.count > z.threshold;
      bool& was = zone_alerts_[z.id];
      if (z.alert != was) crossings.push_back({z.id, z.count, z.threshold, z.alert});
      was = z.alert;
    }
  }
  for (const auto& c : crossings) post_alert(element, r, c.zone, c.count, c.threshold, c.raised);
}

void CountTask::fill_message(const FrameResult& r, GstStructure* m) const {
  GValue zones = G_VALUE_INIT;
  g_value_init(&zones, GST_TYPE_ARRAY);
  for (const auto& z : r.zones) {
    GValue item = G_VALUE_INIT;
    g_value_init(&item, GST_TYPE_STRUCTURE);
    GstStructure* zs = gst_structure_new("zone", "id", G_TYPE_STRING, z.id.c_str(), "count", G_TYPE_DOUBLE, z.count,
                                         "alert", G_TYPE_BOOLEAN, z.alert, nullptr);
    g_value_take_boxed(&item, zs);
    gst_value_array_append_and_take_value(&zones, &item);
  }
  gst_structure_take_value(m, "zones", &zones);
  gst_structure_set(m, "raw-count", G_TYPE_DOUBLE, r.raw, nullptr);
}

// Streaming thread, with the settings plan() took for this frame.
void CountTask::draw(const FrameResult& r, const FramePlan& plan, Canvas& canvas) {
  const Rgb white{255, 255, 255}, red{255, 64, 64}, outline{255, 255, 0};
  const auto alpha = static_cast<float>(plan.overlay.alpha);
  if (plan.overlay.enabled) {
    if (r.density) {
      draw_density(canvas, *r.density, *colormap_, alpha);
      if (alpha > 0) draw_density_legend(canvas, *r.density, *colormap_);
    }
    if (!plan.job.roi.empty()) draw_polygon(canvas, plan.job.roi, outline);
    for (const auto& z : plan.job.zones) draw_polygon(canvas, z.polygon, outline);
  }
  const bool with_count = (plan.overlay.enabled && alpha > 0 && drawn_.draw_count) || drawn_.draw_count_alone;
  int row = 0;
  if (plan.overlay.enabled && alpha > 0 && !drawn_.label.empty()) draw_label(canvas, drawn_.label, row++, white);
  if (!with_count) return;
  draw_label(canvas, format_count("COUNT", r.value), row++, r.alert ? red : white);
  for (const auto& z : r.zones) draw_label(canvas, format_count(z.id, z.count), row++, z.alert ? red : white);
}

}  // namespace rvgst
