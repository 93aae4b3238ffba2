#pragma once
// crowdcount's side of the per-frame flow: the region of interest and zones
// (job settings), count thresholds and their alert messages, the per-frame
// message fields, and the overlay (heat map with a legend, outlines, count,
// caption). Plain C++; gstcrowdcount.cpp forwards its properties here.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "colormap.h"
#include "element_task.h"
#include "zones.h"

namespace rvgst {

struct CountSettings {
  std::string roi_text;
  std::string zones_text;
  std::string zones_file;
  Polygon roi;
  ZoneSet inline_zones;
  ZoneSet file_zones;
  std::string settings_error;  // a bad roi/zones value set before start
  double count_threshold = -1;
  ColormapId colormap = ColormapId::Jet;
  bool draw_count = true;            // with the overlay
  bool draw_count_alone = false;     // draw-count=true set explicitly: the count even without the overlay
  bool attach_density = false;
  std::string label;                 // caption drawn with the overlay ("default", "adapted: mall")
};

enum class RegionProperty { Roi, Zones, ZonesFile };

class CountTask : public ElementTask {
 public:
  CountSettings settings() const;
  void update(const std::function<void(CountSettings&)>& change);
  // Parses roi / zones / zones-file; on failure keeps the old value and returns
  // the reason (start fails with it; while running it is only a warning).
  std::string set_region(RegionProperty which, const std::string& text);

  AnalyzerKind kind() const override { return AnalyzerKind::Count; }
  GstRankvisionResultKind meta_kind() const override { return GST_RANKVISION_RESULT_COUNT; }
  const char* message_name() const override { return "crowdcount"; }
  const char* value_field() const override { return "count"; }
  std::string settings_error() const override;
  void reset() override;
  FramePlan plan(const GstVideoInfo& info, const OverlaySettings& overlay) override;
  void finish(FrameResult& result, GstElement* element) override;
  void fill_message(const FrameResult& result, GstStructure* message) const override;
  void draw(const FrameResult& result, const FramePlan& plan, Canvas& canvas) override;

 private:
  mutable std::mutex lock_;
  CountSettings settings_;
  // Streaming thread only: what plan() decided for this frame's drawing.
  CountSettings drawn_;
  std::unique_ptr<Colormap> colormap_;
  // Alert state, worker thread only (under lock_).
  bool frame_alert_ = false;
  std::map<std::string, bool> zone_alerts_;
};

}  // namespace rvgst
