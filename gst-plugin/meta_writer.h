#pragma once
// The writing side of rankvision-meta.h: registers the API and the meta
// implementation (plugin load) and fills a meta from a FrameResult.
#include <gst/gst.h>

#include "frame_result.h"
#include "rankvision-meta.h"

namespace rvgst {

// Registers the API type and the implementation; call from plugin_init.
void register_meta();
// Adds a meta to a writable buffer. `with_density` copies the density map.
GstRankvisionMeta* add_meta(GstBuffer* buffer, GstRankvisionResultKind kind, const FrameResult& result, bool stale,
                            bool with_density);

}  // namespace rvgst
