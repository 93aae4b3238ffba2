/**
 * SECTION:element-crowdcount
 * @title: crowdcount
 *
 * Counts people in every frame with a density-map network (the self-supervised
 * learning-to-rank counter of rankvision) and passes the frame on. Results
 * leave three ways:
 *
 * - a `crowdcount` element message per frame with `timestamp`, `stream-time`,
 *   `running-time`, `duration`, `frame-number`, `count` (double), `stale`
 *   (TRUE when the result was computed on an earlier frame), `zones` (array of
 *   `zone` structures with `id`, `count`, `alert`), `inference-ms`, `alert`,
 *   `raw-count` (whole frame) and `result-frame-number`;
 * - a #GstRankvisionMeta on every buffer (public header rankvision-meta.h);
 * - the read-only `count` and `stats` properties.
 *
 * `crowdcount-alert` messages (`zone`, `count`, `threshold`, `alert`) mark the
 * moments a count rises above its threshold (`alert`=TRUE) or falls back.
 * `model-updated` follows a successful hot reload of `model-file`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m filesrc location=vtest.avi ! decodebin ! videoconvert ! \
 *     crowdcount draw-overlay=true draw-count=true zones="door:0,0,200,576" ! \
 *     videoconvert ! autovideosink
 * ]|
 */
#include "gstcrowdcount.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "colormap.h"
#include "count_analyzer.h"
#include "overlay.h"
#include "zones.h"

GST_DEBUG_CATEGORY_STATIC(gst_crowd_count_debug);
#define GST_CAT_DEFAULT gst_crowd_count_debug

namespace {

struct CountSettings {
  std::mutex lock;
  std::string roi_text;
  std::string zones_text;
  std::string zones_file;
  rvgst::Polygon roi;
  rvgst::ZoneSet inline_zones;
  rvgst::ZoneSet file_zones;
  std::string settings_error;  // a bad roi/zones value set before start
  double count_threshold = -1;
  rvgst::ColormapId colormap_id = rvgst::ColormapId::Jet;
  std::shared_ptr<const rvgst::Colormap> colormap = std::make_shared<rvgst::Colormap>(rvgst::ColormapId::Jet);
  bool draw_count = false;
  bool attach_density = false;
  // Alert state, worker thread only.
  bool frame_alert = false;
  std::map<std::string, bool> zone_alerts;
};

enum {
  PROP_0,
  PROP_ROI,
  PROP_ZONES,
  PROP_ZONES_FILE,
  PROP_COUNT_THRESHOLD,
  PROP_COLORMAP,
  PROP_DRAW_COUNT,
  PROP_ATTACH_DENSITY_MAP,
  PROP_COUNT,
};

GType colormap_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {int(rvgst::ColormapId::Jet), "blue → red (jet)", "jet"},
      {int(rvgst::ColormapId::Inferno), "black → purple → yellow (inferno)", "inferno"},
      {int(rvgst::ColormapId::Viridis), "purple → green → yellow (viridis)", "viridis"},
      {int(rvgst::ColormapId::Hot), "black → red → white (hot)", "hot"},
      {int(rvgst::ColormapId::Gray), "black → white", "gray"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRvColormap", values));
  return type;
}

}  // namespace

struct _GstCrowdCount {
  GstRvFilter parent;
  CountSettings* settings;
};

G_DEFINE_TYPE(GstCrowdCount, gst_crowd_count, GST_TYPE_RV_FILTER)

namespace {

CountSettings* settings_of(gpointer self) { return GST_CROWD_COUNT(self)->settings; }

// Parses one of the zone properties; on failure keeps the old value and
// returns the reason (posted as an error at start, a warning while running).
std::string apply_zone_property(CountSettings* s, guint id, const std::string& text) {
  try {
    switch (id) {
      case PROP_ROI:
        s->roi = text.empty() ? rvgst::Polygon() : rvgst::parse_shape(text, "roi");
        s->roi_text = text;
        break;
      case PROP_ZONES:
        s->inline_zones = rvgst::parse_zones(text);
        s->zones_text = text;
        break;
      case PROP_ZONES_FILE:
        s->file_zones = text.empty() ? rvgst::ZoneSet() : rvgst::load_zones_file(text);
        s->zones_file = text;
        break;
    }
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  CountSettings* s = settings_of(object);
  std::string error;
  {
    std::lock_guard<std::mutex> lock(s->lock);
    switch (id) {
      case PROP_ROI:
      case PROP_ZONES:
      case PROP_ZONES_FILE: {
        const char* text = g_value_get_string(value);
        error = apply_zone_property(s, id, text ? text : "");
        s->settings_error = error;
        break;
      }
      case PROP_COUNT_THRESHOLD: s->count_threshold = g_value_get_double(value); break;
      case PROP_COLORMAP:
        s->colormap_id = static_cast<rvgst::ColormapId>(g_value_get_enum(value));
        s->colormap = std::make_shared<rvgst::Colormap>(s->colormap_id);
        break;
      case PROP_DRAW_COUNT: s->draw_count = g_value_get_boolean(value); break;
      case PROP_ATTACH_DENSITY_MAP: s->attach_density = g_value_get_boolean(value); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); return;
    }
  }
  if (!error.empty() && GST_STATE(object) >= GST_STATE_PAUSED)
    GST_ELEMENT_WARNING(object, RESOURCE, SETTINGS, ("Ignoring %s: %s", pspec->name, error.c_str()), (nullptr));
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  if (id == PROP_COUNT) {
    rvgst::FrameResult r = gst_rv_filter_latest_result(GST_RV_FILTER(object));
    g_value_set_double(value, r.valid ? r.value : 0.0);
    return;
  }
  CountSettings* s = settings_of(object);
  std::lock_guard<std::mutex> lock(s->lock);
  switch (id) {
    case PROP_ROI: g_value_set_string(value, s->roi_text.c_str()); break;
    case PROP_ZONES: g_value_set_string(value, s->zones_text.c_str()); break;
    case PROP_ZONES_FILE: g_value_set_string(value, s->zones_file.empty() ? nullptr : s->zones_file.c_str()); break;
    case PROP_COUNT_THRESHOLD: g_value_set_double(value, s->count_threshold); break;
    case PROP_COLORMAP: g_value_set_enum(value, int(s->colormap_id)); break;
    case PROP_DRAW_COUNT: g_value_set_boolean(value, s->draw_count); break;
    case PROP_ATTACH_DENSITY_MAP: g_value_set_boolean(value, s->attach_density); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

void finalize(GObject* object) {
  delete settings_of(object);
  GST_CROWD_COUNT(object)->settings = nullptr;
  G_OBJECT_CLASS(gst_crowd_count_parent_class)->finalize(object);
}

gboolean start(GstBaseTransform* trans) {
  std::string error;
  {
    CountSettings* s = settings_of(trans);
    std::lock_guard<std::mutex> lock(s->lock);
    error = s->settings_error;
  }
  if (!error.empty()) {
    GST_ELEMENT_ERROR(trans, RESOURCE, SETTINGS, ("Invalid zone setting: %s", error.c_str()), (nullptr));
    return FALSE;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_crowd_count_parent_class)->start(trans);
}

std::unique_ptr<rvgst::Analyzer> create_analyzer(const std::string& path, const rv::EngineOptions& options) {
  return std::make_unique<rvgst::CountAnalyzer>(path, options);
}

void prepare_job(GstRvFilter* self, const GstVideoInfo* info, rvgst::JobSettings& job) {
  const bool overlay = gst_rv_filter_draw_overlay(self, nullptr);
  CountSettings* s = settings_of(self);
  std::lock_guard<std::mutex> lock(s->lock);
  job.roi = s->roi;
  const int w = GST_VIDEO_INFO_WIDTH(info), h = GST_VIDEO_INFO_HEIGHT(info);
  job.zones = s->inline_zones.in_pixels(w, h);
  for (auto& z : s->file_zones.in_pixels(w, h)) job.zones.push_back(std::move(z));
  job.want_density = overlay || s->attach_density;
}

void post_alert(GstRvFilter* self, const rvgst::FrameResult& r, const std::string& zone, double count,
                double threshold, bool raised) {
  GstStructure* m = gst_structure_new_empty("crowdcount-alert");
  gst_rv_filter_set_timing(m, r.frame);
  gst_structure_set(m, "zone", G_TYPE_STRING, zone.c_str(), "count", G_TYPE_DOUBLE, count, "threshold", G_TYPE_DOUBLE,
                    threshold, "alert", G_TYPE_BOOLEAN, raised, nullptr);
  gst_rv_filter_post(self, m);
}

// Worker thread, in frame order: thresholds and their crossings.
void finish_result(GstRvFilter* self, rvgst::FrameResult& r) {
  CountSettings* s = settings_of(self);
  struct Crossing {
    std::string zone;
    double count, threshold;
    bool raised;
  };
  std::vector<Crossing> crossings;
  {
    std::lock_guard<std::mutex> lock(s->lock);
    r.alert = s->count_threshold >= 0 && r.value > s->count_threshold;
    if (r.alert != s->frame_alert) crossings.push_back({"frame", r.value, s->count_threshold, r.alert});
    s->frame_alert = r.alert;
    for (auto& z : r.zones) {
      z.alert = z.threshold >= 0 && z.count > z.threshold;
      bool& was = s->zone_alerts[z.id];
      if (z.alert != was) crossings.push_back({z.id, z.count, z.threshold, z.alert});
      was = z.alert;
    }
  }
  for (const auto& c : crossings) post_alert(self, r, c.zone, c.count, c.threshold, c.raised);
}

void fill_message(GstRvFilter*, const rvgst::FrameResult& r, GstStructure* m) {
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

gboolean wants_draw(GstRvFilter* self) {
  if (gst_rv_filter_draw_overlay(self, nullptr)) return TRUE;
  CountSettings* s = settings_of(self);
  std::lock_guard<std::mutex> lock(s->lock);
  return s->draw_count;
}

gboolean wants_density_meta(GstRvFilter* self) {
  CountSettings* s = settings_of(self);
  std::lock_guard<std::mutex> lock(s->lock);
  return s->attach_density;
}

std::string format_count(const char* label, double value) {
  char text[64];
  g_snprintf(text, sizeof text, "%s %.1f", label, value);
  return text;
}

void draw(GstRvFilter* self, const rvgst::FrameResult& r, gboolean, rvgst::Canvas& canvas) {
  double alpha = 0.5;
  const bool overlay = gst_rv_filter_draw_overlay(self, &alpha);
  CountSettings* s = settings_of(self);
  std::shared_ptr<const rvgst::Colormap> colormap;
  bool draw_count;
  rvgst::Polygon roi;
  std::vector<rvgst::Zone> zones;
  {
    std::lock_guard<std::mutex> lock(s->lock);
    colormap = s->colormap;
    draw_count = s->draw_count;
    roi = s->roi;
    zones = s->inline_zones.in_pixels(canvas.width(), canvas.height());
    for (auto& z : s->file_zones.in_pixels(canvas.width(), canvas.height())) zones.push_back(std::move(z));
  }
  const rvgst::Rgb white{255, 255, 255}, red{255, 64, 64}, outline{255, 255, 0};
  if (overlay) {
    if (r.density) rvgst::draw_density(canvas, *r.density, *colormap, static_cast<float>(alpha));
    if (!roi.empty()) rvgst::draw_polygon(canvas, roi, outline);
    for (const auto& z : zones) rvgst::draw_polygon(canvas, z.polygon, outline);
  }
  if (draw_count) {
    int row = 0;
    rvgst::draw_label(canvas, format_count("COUNT", r.value), row++, r.alert ? red : white);
    for (const auto& z : r.zones) rvgst::draw_label(canvas, format_count(z.id.c_str(), z.count), row++, z.alert ? red : white);
  }
}

void reset(GstRvFilter* self) {
  CountSettings* s = settings_of(self);
  std::lock_guard<std::mutex> lock(s->lock);
  s->frame_alert = false;
  s->zone_alerts.clear();
}

}  // namespace

static void gst_crowd_count_class_init(GstCrowdCountClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstRvFilterClass* rv_class = GST_RV_FILTER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_crowd_count_debug, "crowdcount", 0, "crowd counting element");

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  GST_BASE_TRANSFORM_CLASS(klass)->start = start;

  const auto playing =
      static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  g_object_class_install_property(gobject_class, PROP_ROI,
      g_param_spec_string("roi", "Region of interest",
                          "Count only inside this region, in frame pixels: \"x,y,width,height\" or a polygon "
                          "\"x1,y1,x2,y2,x3,y3,...\"; empty = whole frame",
                          "", playing));
  g_object_class_install_property(gobject_class, PROP_ZONES,
      g_param_spec_string("zones", "Zones",
                          "Zones counted separately, in frame pixels: \"id:x,y,width,height;id2:x1,y1,x2,y2,x3,y3\" "
                          "(the id is optional)",
                          "", playing));
  g_object_class_install_property(gobject_class, PROP_ZONES_FILE,
      g_param_spec_string("zones-file", "Zones file",
                          "JSON file of zones: {\"units\": \"pixels\"|\"normalized\", \"zones\": [{\"id\": ..., "
                          "\"rect\": [x,y,w,h] or \"polygon\": [[x,y],...], \"threshold\": N}]}; added to zones",
                          nullptr, playing));
  g_object_class_install_property(gobject_class, PROP_COUNT_THRESHOLD,
      g_param_spec_double("count-threshold", "Count threshold",
                          "Post a crowdcount-alert message when the count (inside roi) rises above this, and again "
                          "when it falls back; negative = off",
                          -1.0, G_MAXDOUBLE, -1.0, playing));
  g_object_class_install_property(gobject_class, PROP_COLORMAP,
      g_param_spec_enum("colormap", "Colour map", "Colours of the density heat map drawn with draw-overlay",
                        colormap_get_type(), int(rvgst::ColormapId::Jet), playing));
  g_object_class_install_property(gobject_class, PROP_DRAW_COUNT,
      g_param_spec_boolean("draw-count", "Draw count", "Write the count (and zone counts) on the frame", FALSE,
                           playing));
  g_object_class_install_property(gobject_class, PROP_ATTACH_DENSITY_MAP,
      g_param_spec_boolean("attach-density-map", "Attach density map",
                           "Put the density map into the GstRankvisionMeta of each buffer", FALSE, playing));
  g_object_class_install_property(gobject_class, PROP_COUNT,
      g_param_spec_double("count", "Count", "The latest count (inside roi)", 0.0, G_MAXDOUBLE, 0.0,
                          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_set_static_metadata(element_class, "Crowd counter", "Filter/Analyzer/Video",
      "Counts people with a density-map network; posts per-frame messages, attaches a GstRankvisionMeta and "
      "optionally draws a heat map and the count",
      "rankvision developers");

  rv_class->kind = GST_RANKVISION_RESULT_COUNT;
  rv_class->task = rv::Task::Count;
  rv_class->message_name = "crowdcount";
  rv_class->value_field = "count";
  rv_class->create_analyzer = create_analyzer;
  rv_class->prepare_job = prepare_job;
  rv_class->finish_result = finish_result;
  rv_class->fill_message = fill_message;
  rv_class->wants_draw = wants_draw;
  rv_class->draw = draw;
  rv_class->wants_density_meta = wants_density_meta;
  rv_class->reset = reset;

  gst_type_mark_as_plugin_api(colormap_get_type(), static_cast<GstPluginAPIFlags>(0));
}

static void gst_crowd_count_init(GstCrowdCount* self) { self->settings = new CountSettings(); }
