#pragma once
// Umbrella header of the inference engines (frame in, density map / score out),
// used by the GStreamer elements and the CLI. Each part has its own header:
//   engine/engine_options.h  EngineOptions (torch-free)
//   engine/device.h          parse_device, checked_device
//   engine/frame_tensor.h    frame_to_tensor
//   engine/model_slot.h      ModelSlot (thread-safe model swap)
//   engine/crowd_counter.h   CountResult, Polygon, count_in_polygon, CrowdCounter
//   engine/quality_scorer.h  QualityResult, QualityScorer
// New code includes the one it needs.
#include "engine/crowd_counter.h"
#include "engine/device.h"
#include "engine/engine_options.h"
#include "engine/frame_tensor.h"
#include "engine/image_view.h"
#include "engine/model_slot.h"
#include "engine/quality_scorer.h"
