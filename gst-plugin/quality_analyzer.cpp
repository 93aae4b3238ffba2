#include "quality_analyzer.h"

#include "bundle/bundle.h"

namespace rvgst {

QualityAnalyzer::QualityAnalyzer(const std::string& path, const rv::EngineOptions& options)
    : scorer_(std::make_unique<rv::QualityScorer>(rv::load_bundle(path, rv::Task::Quality), options)) {}

void QualityAnalyzer::analyze(const rv::ImageView& frame, const JobSettings&, FrameResult& out) {
  torch::InferenceMode guard;
  rv::QualityResult result = scorer_->score(frame);
  out.value = result.score;  // smoothing happens in the element, in frame order
  out.raw = result.score;
  out.net_output = result.raw;
  out.inference_ms = result.inference_ms;
  out.zones.clear();
  out.density.reset();
}

void QualityAnalyzer::reload(const std::string& path) { scorer_->set_model(rv::load_bundle(path, rv::Task::Quality)); }

std::string QualityAnalyzer::describe() const { return describe_spec(scorer_->meta()); }

}  // namespace rvgst
