#pragma once
// What one inference produced, in plain C++ types: this is what crosses from
// the worker thread to the streaming thread, the bus and the GstMeta. No torch
// types, so element code never has to include LibTorch.
#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/polygon.h"

namespace rvgst {

using Polygon = rv::Polygon;  // frame pixels

struct Zone {
  std::string id;
  Polygon polygon;       // frame pixels
  double threshold = -1; // alert when the zone's count exceeds it; negative = no alert
};

// Timing of the frame a result belongs to.
struct FrameInfo {
  uint64_t number = 0;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
};

struct DensityMap {
  int width = 0;
  int height = 0;
  double cell_width = 16;
  double cell_height = 16;
  std::vector<float> cells;  // row-major
};

struct ZoneResult {
  std::string id;
  double count = 0;
  double threshold = -1;
  bool alert = false;
};

struct FrameResult {
  bool valid = false;
  FrameInfo frame;
  double value = 0;  // count (inside the ROI, if any) or quality score after smoothing
  double raw = 0;    // count of the whole frame, or the unsmoothed score
  double net_output = 0;  // quality: the network's raw output
  double inference_ms = 0;
  bool alert = false;
  std::vector<ZoneResult> zones;
  std::shared_ptr<const DensityMap> density;  // only when asked for (overlay, meta)
};

// The settings a job runs with, snapshotted on the streaming thread so that
// property changes never race with a running inference.
struct JobSettings {
  Polygon roi;               // empty: whole frame
  std::vector<Zone> zones;
  bool want_density = false;
};

}  // namespace rvgst
