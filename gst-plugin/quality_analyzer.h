#pragma once
#include <memory>
#include <string>

#include "analyzer.h"

namespace rvgst {

// Image quality: the bundle maps the network's raw output to a 0–100 score.
class QualityAnalyzer : public Analyzer {
 public:
  QualityAnalyzer(const std::string& path, const rv::EngineOptions& options);
  void analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) override;
  void reload(const std::string& path) override;
  std::string describe() const override;

 private:
  std::unique_ptr<rv::QualityScorer> scorer_;
};

}  // namespace rvgst
