#pragma once
#include "gstrvfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_IQA_SCORE (gst_iqa_score_get_type())
G_DECLARE_FINAL_TYPE(GstIqaScore, gst_iqa_score, GST, IQA_SCORE, GstRvFilter)

G_END_DECLS
