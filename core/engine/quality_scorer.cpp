// QualityScorer: crops at native resolution, mean raw output, calibrated score.
#include "engine/quality_scorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>
#include <vector>

#include "engine/device.h"
#include "engine/frame_tensor.h"
#include "engine/torch_thread.h"

namespace rv {

std::unique_ptr<QualityScorer> QualityScorer::from_file(const std::string& path, EngineOptions options) {
  return std::make_unique<QualityScorer>(load_bundle(path, Task::Quality), std::move(options));
}

QualityResult QualityScorer::score(const ImageView& frame) {
  if (!device_.is_cpu()) return score_here(frame);
  QualityResult result;
  run_on_torch_thread([&] { result = score_here(frame); });
  return result;
}

QualityResult QualityScorer::score_here(const ImageView& frame) {
  const auto start = std::chrono::steady_clock::now();
  auto model = model_.get();
  const int64_t kCrop = model->meta.quality_crop;
  double scale = 1.0;
  const int long_side = std::max(frame.width, frame.height);
  if (options_.max_input_size > 0 && long_side > options_.max_input_size) {
    scale = static_cast<double>(options_.max_input_size) / long_side;
  }
  // Crops are taken at native resolution (the paper avoids rescaling artefacts);
  // only frames smaller than a crop are enlarged.
  const int short_side = std::min(frame.width, frame.height);
  if (short_side * scale < kCrop) scale = static_cast<double>(kCrop) / short_side;
  c10::InferenceMode guard;
  auto x = frame_to_tensor(frame, scale, device_);
  if (options_.fp16) x = x.to(torch::kHalf);
  const int64_t H = x.size(2), W = x.size(3);
  const int64_t my = H - kCrop, mx = W - kCrop;
  // Centre, then the four corners, then an even grid for more crops.
  std::vector<std::pair<int64_t, int64_t>> origins = {{my / 2, mx / 2}, {0, 0}, {0, mx}, {my, 0}, {my, mx}};
  const int n = options_.quality_crops;
  const int g = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  for (int i = 0; static_cast<int>(origins.size()) < n && i < g * g; ++i) {
    origins.emplace_back(g > 1 ? my * (i / g) / (g - 1) : 0, g > 1 ? mx * (i % g) / (g - 1) : 0);
  }
  origins.resize(std::min<size_t>(origins.size(), static_cast<size_t>(n)));
  std::vector<torch::Tensor> crops;
  for (const auto& [oy, ox] : origins) {
    crops.push_back(x.index({0, torch::indexing::Slice(), torch::indexing::Slice(oy, oy + kCrop),
                             torch::indexing::Slice(ox, ox + kCrop)}));
  }
  auto raw = model->net->scalar(torch::stack(crops)).to(torch::kCPU, torch::kDouble);
  QualityResult r;
  r.raw = raw.mean().item<double>();
  r.score = model->meta.quality_score(r.raw);
  r.inference_ms = elapsed_ms(start);
  return r;
}

}  // namespace rv
