// The two analyzers: rv::CrowdCounter and rv::QualityScorer behind the
// torch-free Analyzer interface. This is the only plugin file that sees LibTorch.
#include "analyzer.h"

#include <sstream>

#include "bundle/bundle.h"
#include "engine/engines.h"

namespace rvgst {

namespace {

rv::Task task_of(AnalyzerKind kind) { return kind == AnalyzerKind::Count ? rv::Task::Count : rv::Task::Quality; }

std::string describe_spec(const rv::BundleMeta& meta) {
  std::ostringstream out;
  out << meta.spec.arch << " width " << meta.spec.width;
  return out.str();
}

std::shared_ptr<DensityMap> density_map_of(const rv::CountResult& result) {
  if (!result.density.defined() || result.density.dim() != 2) return nullptr;
  auto map = std::make_shared<DensityMap>();
  torch::Tensor d = result.density.to(torch::kCPU, torch::kFloat).contiguous();
  map->height = static_cast<int>(d.size(0));
  map->width = static_cast<int>(d.size(1));
  map->cell_width = result.cell_width;
  map->cell_height = result.cell_height;
  const float* p = d.data_ptr<float>();
  map->cells.assign(p, p + d.numel());
  return map;
}

// Crowd counting: whole-frame count, ROI count and per-zone counts (sums of
// the density map under each polygon, in frame pixels).
class CountAnalyzer : public Analyzer {
 public:
  CountAnalyzer(const std::string& path, const rv::EngineOptions& options)
      : counter_(std::make_unique<rv::CrowdCounter>(rv::load_bundle(path, rv::Task::Count), options)) {}

  void analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) override {
    torch::InferenceMode guard;
    rv::CountResult result = counter_->count(frame);
    out.raw = result.count;
    out.value = settings.roi.empty() ? result.count : rv::count_in_polygon(result, settings.roi);
    out.inference_ms = result.inference_ms;
    out.zones.clear();
    for (const Zone& zone : settings.zones) {
      ZoneResult z;
      z.id = zone.id;
      z.count = rv::count_in_polygon(result, zone.polygon);
      z.threshold = zone.threshold;
      out.zones.push_back(std::move(z));
    }
    out.density = settings.want_density ? density_map_of(result) : nullptr;
  }
  void reload(const std::string& path) override { counter_->set_model(rv::load_bundle(path, rv::Task::Count)); }
  std::string describe() const override { return describe_spec(counter_->meta()); }

 private:
  std::unique_ptr<rv::CrowdCounter> counter_;
};

// Image quality: the bundle maps the network's raw output to a 0–100 score.
class QualityAnalyzer : public Analyzer {
 public:
  QualityAnalyzer(const std::string& path, const rv::EngineOptions& options)
      : scorer_(std::make_unique<rv::QualityScorer>(rv::load_bundle(path, rv::Task::Quality), options)) {}

  void analyze(const rv::ImageView& frame, const JobSettings&, FrameResult& out) override {
    torch::InferenceMode guard;
    rv::QualityResult result = scorer_->score(frame);
    out.value = result.score;  // smoothing happens in the element, in frame order
    out.raw = result.score;
    out.net_output = result.raw;
    out.inference_ms = result.inference_ms;
    out.zones.clear();
    out.density.reset();
  }
  void reload(const std::string& path) override { scorer_->set_model(rv::load_bundle(path, rv::Task::Quality)); }
  std::string describe() const override { return describe_spec(scorer_->meta()); }

 private:
  std::unique_ptr<rv::QualityScorer> scorer_;
};

}  // namespace

std::unique_ptr<Analyzer> create_analyzer(AnalyzerKind kind, const std::string& path,
                                          const rv::EngineOptions& options) {
  if (kind == AnalyzerKind::Count) return std::make_unique<CountAnalyzer>(path, options);
  return std::make_unique<QualityAnalyzer>(path, options);
}

void check_device(const std::string& device) { rv::parse_device(device); }

std::string default_model_path(AnalyzerKind kind) { return rv::default_model_path(task_of(kind)); }

const char* task_name(AnalyzerKind kind) { return kind == AnalyzerKind::Count ? "counting" : "quality"; }

}  // namespace rvgst
