// The rankvision plugin: crowdcount and iqascore.
#include <gst/gst.h>

#include "gstcrowdcount.h"
#include "gstiqascore.h"
#include "meta_writer.h"
#include "rankvision_config.h"

static gboolean plugin_init(GstPlugin* plugin) {
  rvgst::register_meta();
  gboolean ok = gst_element_register(plugin, "crowdcount", GST_RANK_NONE, GST_TYPE_CROWD_COUNT);
  ok &= gst_element_register(plugin, "iqascore", GST_RANK_NONE, GST_TYPE_IQA_SCORE);
  return ok;
}

#define PACKAGE "rankvision"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, rankvision,
                  "Crowd counting and image quality with self-supervised learning-to-rank networks", plugin_init,
                  RANKVISION_VERSION, "Apache 2.0", "rankvision", "https://github.com/rankvision/rankvision")
