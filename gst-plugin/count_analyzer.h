#pragma once
#include <memory>
#include <string>

#include "analyzer.h"

namespace rvgst {

// Crowd counting: whole-frame count, ROI count and per-zone counts (sums of
// the density map under each polygon, in frame pixels).
class CountAnalyzer : public Analyzer {
 public:
  CountAnalyzer(const std::string& path, const rv::EngineOptions& options);
  void analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) override;
  void reload(const std::string& path) override;
  std::string describe() const override;

 private:
  std::unique_ptr<rv::CrowdCounter> counter_;
};

}  // namespace rvgst
