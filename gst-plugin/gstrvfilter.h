#pragma once
// GstRvFilter: the abstract GObject base of crowdcount and iqascore. It holds
// the shared properties, the caps and the state changes; the per-frame work is
// done by rvgst::FrameFlow (frame_flow.h), and what differs between the two
// elements by their rvgst::ElementTask (count_task.h, quality_task.h), which a
// subclass hands over in its instance init with gst_rv_filter_set_task().
#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

#include <memory>

#include "element_task.h"
#include "frame_result.h"

G_BEGIN_DECLS

#define GST_TYPE_RV_FILTER (gst_rv_filter_get_type())
G_DECLARE_DERIVABLE_TYPE(GstRvFilter, gst_rv_filter, GST, RV_FILTER, GstVideoFilter)

struct _GstRvFilterClass {
  GstVideoFilterClass parent_class;
};

typedef enum { GST_RV_PRECISION_FP32 = 0, GST_RV_PRECISION_FP16 = 1 } GstRvPrecision;
typedef enum { GST_RV_ON_BUSY_AUTO = 0, GST_RV_ON_BUSY_DROP = 1, GST_RV_ON_BUSY_WAIT = 2 } GstRvOnBusy;

G_END_DECLS

// For subclasses: install the task (instance init) and read the latest result.
void gst_rv_filter_set_task(GstRvFilter* self, std::unique_ptr<rvgst::ElementTask> task);
rvgst::FrameResult gst_rv_filter_latest_result(GstRvFilter* self);
