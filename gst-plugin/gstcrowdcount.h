#pragma once
#include "gstrvfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CROWD_COUNT (gst_crowd_count_get_type())
G_DECLARE_FINAL_TYPE(GstCrowdCount, gst_crowd_count, GST, CROWD_COUNT, GstRvFilter)

G_END_DECLS
