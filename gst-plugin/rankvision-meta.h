/* rankvision-meta.h — results that the crowdcount and iqascore elements attach
 * to every buffer they pass, readable by any application without linking to
 * the plugin: the API type is looked up by name once the plugin is loaded, and
 * everything else is plain inline reads of the struct below.
 *
 *   GstRankvisionMeta *m = gst_buffer_get_rankvision_meta (buffer, GST_RANKVISION_RESULT_COUNT);
 *   if (m) printf ("%.1f people%s\n", m->value, m->stale ? " (stale)" : "");
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef RANKVISION_META_H
#define RANKVISION_META_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_RANKVISION_META_API_NAME "GstRankvisionMetaAPI"
/* Bumped when fields are added; readers may check meta->version >= what they need. */
#define GST_RANKVISION_META_VERSION 1

typedef enum {
  GST_RANKVISION_RESULT_COUNT = 0,   /* from crowdcount: value = people in the frame (or ROI) */
  GST_RANKVISION_RESULT_QUALITY = 1  /* from iqascore: value = score 0–100, higher is better */
} GstRankvisionResultKind;

typedef struct {
  GstMeta meta;
  guint version;                    /* GST_RANKVISION_META_VERSION of the writer */
  GstRankvisionResultKind kind;
  gdouble value;                    /* count, or (smoothed) quality score */
  gdouble raw;                      /* count: whole-frame count before the ROI; quality: unsmoothed score */
  gboolean stale;                   /* TRUE: computed on an earlier frame (inference-interval, busy network) */
  guint64 frame_number;             /* number of the frame the result was computed on (0-based, since start) */
  GstClockTime result_pts;          /* PTS of that frame */
  gdouble inference_ms;             /* time the network took for that frame */
  gboolean alert;                   /* threshold crossed (count above count-threshold, score below alert-threshold) */
  /* Zones (crowdcount with roi/zones set): n_zones entries. */
  guint n_zones;
  gchar **zone_ids;                 /* NULL-terminated */
  gdouble *zone_counts;
  /* Density map (crowdcount with attach-density-map=true), row-major people per cell; NULL otherwise. */
  guint density_width;
  guint density_height;
  gdouble cell_width;               /* frame pixels covered by one cell, x */
  gdouble cell_height;              /* likewise y */
  gfloat *density;
} GstRankvisionMeta;

/* The API type, once the rankvision plugin is loaded (0 before). */
static inline GType
gst_rankvision_meta_api_get_type (void)
{
  static GType type = 0;
  if (type == 0)
    type = g_type_from_name (GST_RANKVISION_META_API_NAME);
  return type;
}
#define GST_RANKVISION_META_API_TYPE (gst_rankvision_meta_api_get_type ())

/* The meta of the given kind on the buffer, or NULL. A buffer that went
 * through both elements carries two metas, one per kind. */
static inline GstRankvisionMeta *
gst_buffer_get_rankvision_meta (GstBuffer * buffer, GstRankvisionResultKind kind)
{
  GType api = gst_rankvision_meta_api_get_type ();
  gpointer state = NULL;
  GstMeta *meta;
  if (api == 0)
    return NULL;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state, api)) != NULL) {
    GstRankvisionMeta *m = (GstRankvisionMeta *) meta;
    if (m->kind == kind)
      return m;
  }
  return NULL;
}

/* Zone i's id and count; FALSE when i is out of range. */
static inline gboolean
gst_rankvision_meta_get_zone (const GstRankvisionMeta * meta, guint i, const gchar ** id, gdouble * count)
{
  if (meta == NULL || i >= meta->n_zones)
    return FALSE;
  if (id)
    *id = meta->zone_ids[i];
  if (count)
    *count = meta->zone_counts[i];
  return TRUE;
}

/* The density map or NULL; width/height in cells. Sum of the cells == raw count. */
static inline const gfloat *
gst_rankvision_meta_get_density (const GstRankvisionMeta * meta, guint * width, guint * height,
    gdouble * cell_width, gdouble * cell_height)
{
  if (meta == NULL || meta->density == NULL)
    return NULL;
  if (width)
    *width = meta->density_width;
  if (height)
    *height = meta->density_height;
  if (cell_width)
    *cell_width = meta->cell_width;
  if (cell_height)
    *cell_height = meta->cell_height;
  return meta->density;
}

G_END_DECLS

#endif /* RANKVISION_META_H */
