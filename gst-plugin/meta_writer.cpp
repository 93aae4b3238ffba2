#include "meta_writer.h"

#include <gst/video/video.h>

#include <cstring>

namespace rvgst {

namespace {

const GstMetaInfo* meta_info = nullptr;

gboolean meta_init(GstMeta* meta, gpointer, GstBuffer*) {
  auto* m = reinterpret_cast<GstRankvisionMeta*>(meta);
  m->version = GST_RANKVISION_META_VERSION;
  m->kind = GST_RANKVISION_RESULT_COUNT;
  m->value = m->raw = m->inference_ms = 0;
  m->stale = FALSE;
  m->alert = FALSE;
  m->frame_number = 0;
  m->result_pts = GST_CLOCK_TIME_NONE;
  m->n_zones = 0;
  m->zone_ids = nullptr;
  m->zone_counts = nullptr;
  m->density_width = m->density_height = 0;
  m->cell_width = m->cell_height = 0;
  m->density = nullptr;
  return TRUE;
}

void meta_free(GstMeta* meta, GstBuffer*) {
  auto* m = reinterpret_cast<GstRankvisionMeta*>(meta);
  g_strfreev(m->zone_ids);
  g_free(m->zone_counts);
  g_free(m->density);
}

void copy_into(GstRankvisionMeta* dst, const GstRankvisionMeta* src, double sx, double sy) {
  dst->kind = src->kind;
  dst->value = src->value;
  dst->raw = src->raw;
  dst->stale = src->stale;
  dst->frame_number = src->frame_number;
  dst->result_pts = src->result_pts;
  dst->inference_ms = src->inference_ms;
  dst->alert = src->alert;
  dst->n_zones = src->n_zones;
  dst->zone_ids = g_strdupv(src->zone_ids);
  dst->zone_counts = static_cast<gdouble*>(g_memdup2(src->zone_counts, sizeof(gdouble) * src->n_zones));
  dst->density_width = src->density_width;
  dst->density_height = src->density_height;
  dst->cell_width = src->cell_width * sx;
  dst->cell_height = src->cell_height * sy;
  dst->density = src->density ? static_cast<gfloat*>(g_memdup2(
                                    src->density, sizeof(gfloat) * src->density_width * src->density_height))
                              : nullptr;
}

// Results describe the picture, not its bytes: they survive copies, colour
// conversion and scaling (cell sizes follow the scale).
gboolean meta_transform(GstBuffer* dest, GstMeta* meta, GstBuffer*, GQuark type, gpointer data) {
  auto* src = reinterpret_cast<GstRankvisionMeta*>(meta);
  double sx = 1, sy = 1;
  if (GST_VIDEO_META_TRANSFORM_IS_SCALE(type)) {
    auto* t = static_cast<GstVideoMetaTransform*>(data);
    if (GST_VIDEO_INFO_WIDTH(t->in_info) > 0 && GST_VIDEO_INFO_HEIGHT(t->in_info) > 0) {
      sx = double(GST_VIDEO_INFO_WIDTH(t->out_info)) / GST_VIDEO_INFO_WIDTH(t->in_info);
      sy = double(GST_VIDEO_INFO_HEIGHT(t->out_info)) / GST_VIDEO_INFO_HEIGHT(t->in_info);
    }
  } else if (!GST_META_TRANSFORM_IS_COPY(type)) {
    return FALSE;
  }
  auto* dst = reinterpret_cast<GstRankvisionMeta*>(gst_buffer_add_meta(dest, meta_info, nullptr));
  if (!dst) return FALSE;
  copy_into(dst, src, sx, sy);
  return TRUE;
}

}  // namespace

void register_meta() {
  static const gchar* tags[] = {GST_META_TAG_VIDEO_STR, nullptr};
  static GType api = gst_meta_api_type_register(GST_RANKVISION_META_API_NAME, tags);
  (void)api;
  if (!meta_info)
    meta_info = gst_meta_register(api, "GstRankvisionMeta", sizeof(GstRankvisionMeta), meta_init, meta_free,
                                  meta_transform);
}

GstRankvisionMeta* add_meta(GstBuffer* buffer, GstRankvisionResultKind kind, const FrameResult& result, bool stale,
                            bool with_density) {
  auto* m = reinterpret_cast<GstRankvisionMeta*>(gst_buffer_add_meta(buffer, meta_info, nullptr));
  if (!m) return nullptr;
  m->kind = kind;
  m->value = result.value;
  m->raw = result.raw;
  m->stale = stale;
  m->frame_number = result.frame.number;
  m->result_pts = result.frame.pts;
  m->inference_ms = result.inference_ms;
  m->alert = result.alert;
  m->n_zones = static_cast<guint>(result.zones.size());
  m->zone_ids = g_new0(gchar*, result.zones.size() + 1);
  m->zone_counts = g_new0(gdouble, result.zones.size() + 1);
  for (size_t i = 0; i < result.zones.size(); ++i) {
    m->zone_ids[i] = g_strdup(result.zones[i].id.c_str());
    m->zone_counts[i] = result.zones[i].count;
  }
  if (with_density && result.density && !result.density->cells.empty()) {
    const DensityMap& d = *result.density;
    m->density_width = d.width;
    m->density_height = d.height;
    m->cell_width = d.cell_width;
    m->cell_height = d.cell_height;
    m->density = static_cast<gfloat*>(g_memdup2(d.cells.data(), sizeof(gfloat) * d.cells.size()));
  }
  return m;
}

}  // namespace rvgst
