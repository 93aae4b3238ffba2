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
 *     crowdcount draw-overlay=true zones="door:0,0,200,576" overlay-label="entrance" ! \
 *     videoconvert ! autovideosink
 * ]|
 */
#include "gstcrowdcount.h"

#include <memory>
#include <string>

#include "count_task.h"

GST_DEBUG_CATEGORY_STATIC(gst_crowd_count_debug);
#define GST_CAT_DEFAULT gst_crowd_count_debug

namespace {

enum {
  PROP_0,
  PROP_ROI,
  PROP_ZONES,
  PROP_ZONES_FILE,
  PROP_COUNT_THRESHOLD,
  PROP_COLORMAP,
  PROP_DRAW_COUNT,
  PROP_OVERLAY_LABEL,
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
  rvgst::CountTask* task;  // owned by the base's FrameFlow
};

G_DEFINE_TYPE(GstCrowdCount, gst_crowd_count, GST_TYPE_RV_FILTER)

namespace {

rvgst::CountTask* task_of(gpointer self) { return GST_CROWD_COUNT(self)->task; }

std::string string_of(const GValue* value) {
  const char* text = g_value_get_string(value);
  return text ? text : "";
}

void set_region(GObject* object, rvgst::RegionProperty which, const GValue* value, GParamSpec* pspec) {
  const std::string error = task_of(object)->set_region(which, string_of(value));
  if (!error.empty() && GST_STATE(object) >= GST_STATE_PAUSED)
    GST_ELEMENT_WARNING(object, RESOURCE, SETTINGS, ("Ignoring %s: %s", pspec->name, error.c_str()), (nullptr));
}

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  switch (id) {
    case PROP_ROI: set_region(object, rvgst::RegionProperty::Roi, value, pspec); return;
    case PROP_ZONES: set_region(object, rvgst::RegionProperty::Zones, value, pspec); return;
    case PROP_ZONES_FILE: set_region(object, rvgst::RegionProperty::ZonesFile, value, pspec); return;
    default: break;
  }
  task_of(object)->update([&](rvgst::CountSettings& s) {
    switch (id) {
      case PROP_COUNT_THRESHOLD: s.count_threshold = g_value_get_double(value); break;
      case PROP_COLORMAP: s.colormap = static_cast<rvgst::ColormapId>(g_value_get_enum(value)); break;
      case PROP_DRAW_COUNT:
        s.draw_count = g_value_get_boolean(value);
        s.draw_count_alone = s.draw_count;
        break;
      case PROP_OVERLAY_LABEL: s.label = string_of(value); break;
      case PROP_ATTACH_DENSITY_MAP: s.attach_density = g_value_get_boolean(value); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
    }
  });
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  if (id == PROP_COUNT) {
    rvgst::FrameResult r = gst_rv_filter_latest_result(GST_RV_FILTER(object));
    g_value_set_double(value, r.valid ? r.value : 0.0);
    return;
  }
  const rvgst::CountSettings s = task_of(object)->settings();
  switch (id) {
    case PROP_ROI: g_value_set_string(value, s.roi_text.c_str()); break;
    case PROP_ZONES: g_value_set_string(value, s.zones_text.c_str()); break;
    case PROP_ZONES_FILE: g_value_set_string(value, s.zones_file.empty() ? nullptr : s.zones_file.c_str()); break;
    case PROP_COUNT_THRESHOLD: g_value_set_double(value, s.count_threshold); break;
    case PROP_COLORMAP: g_value_set_enum(value, int(s.colormap)); break;
    case PROP_DRAW_COUNT: g_value_set_boolean(value, s.draw_count); break;
    case PROP_OVERLAY_LABEL: g_value_set_string(value, s.label.c_str()); break;
    case PROP_ATTACH_DENSITY_MAP: g_value_set_boolean(value, s.attach_density); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

}  // namespace

static void gst_crowd_count_class_init(GstCrowdCountClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_crowd_count_debug, "crowdcount", 0, "crowd counting element");

  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;

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
      g_param_spec_boolean("draw-count", "Draw count",
                           "Write the count (and zone counts) on the frame: with draw-overlay by default; set to true "
                           "explicitly, also without draw-overlay (the count alone)",
                           TRUE, playing));
  g_object_class_install_property(gobject_class, PROP_OVERLAY_LABEL,
      g_param_spec_string("overlay-label", "Overlay label",
                          "Caption drawn above the count with draw-overlay, e.g. \"default\" or \"adapted: mall\" "
                          "when panes of several models are shown side by side; empty = none",
                          "", playing));
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

  gst_type_mark_as_plugin_api(colormap_get_type(), static_cast<GstPluginAPIFlags>(0));
}

static void gst_crowd_count_init(GstCrowdCount* self) {
  auto task = std::make_unique<rvgst::CountTask>();
  self->task = task.get();
  gst_rv_filter_set_task(GST_RV_FILTER(self), std::move(task));
}
