#include "count_analyzer.h"

#include "bundle/bundle.h"

namespace rvgst {

CountAnalyzer::CountAnalyzer(const std::string& path, const rv::EngineOptions& options)
    : counter_(std::make_unique<rv::CrowdCounter>(rv::load_bundle(path, rv::Task::Count), options)) {}

void CountAnalyzer::analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) {
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
  if (settings.want_density && result.density.defined() && result.density.dim() == 2) {
    auto map = std::make_shared<DensityMap>();
    torch::Tensor d = result.density.to(torch::kCPU, torch::kFloat).contiguous();
    map->height = static_cast<int>(d.size(0));
    map->width = static_cast<int>(d.size(1));
    map->cell_width = result.cell_width;
    map->cell_height = result.cell_height;
    const float* p = d.data_ptr<float>();
    map->cells.assign(p, p + d.numel());
    out.density = std::move(map);
  } else {
    out.density.reset();
  }
}

void CountAnalyzer::reload(const std::string& path) { counter_->set_model(rv::load_bundle(path, rv::Task::Count)); }

std::string CountAnalyzer::describe() const { return describe_spec(counter_->meta()); }

}  // namespace rvgst
