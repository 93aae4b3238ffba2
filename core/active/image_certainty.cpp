#include "active/image_certainty.h"

#include <random>
#include <vector>

#include "active/certainty.h"
#include "common/error.h"
#include "data/tensor_convert.h"

namespace rv {

double certainty_of_image(RankNet& net, const cv::Mat& bgr, const ImageCertaintyOptions& options, uint32_t seed) {
  validate(options.crops);
  if (options.pairs < 1) throw_input_error("certainty pairs K", "must be >= 1");
  if (options.batch_size < 1) throw_input_error("certainty batch size", "must be >= 1");
  if (bgr.empty()) throw_input_error("certainty image", "is empty");
  const int64_t k = options.crops.k;
  const int64_t pairs_per_set = k * (k - 1) / 2;
  const int64_t sets = (options.pairs + pairs_per_set - 1) / pairs_per_set;

  std::mt19937 rng(seed);
  std::vector<cv::Mat> crops;
  std::vector<int64_t> group, rank;
  const auto ranks = nested_crop_ranks(options.crops.k);
  for (int64_t set = 0; set < sets; ++set) {
    // Different anchors are not nested in each other: each set is its own group.
    for (auto& crop : nested_crops(bgr, options.crops, rng)) crops.push_back(std::move(crop));
    for (int64_t i = 0; i < k; ++i) {
      group.push_back(set);
      rank.push_back(ranks[static_cast<size_t>(i)]);
    }
  }

  torch::Device device(torch::kCPU);
  torch::Dtype dtype = torch::kFloat;
  for (const auto& p : net.parameters()) {
    device = p.device();
    dtype = p.scalar_type();
    break;
  }
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> values;
  for (size_t start = 0; start < crops.size(); start += static_cast<size_t>(options.batch_size)) {
    const size_t end = std::min(crops.size(), start + static_cast<size_t>(options.batch_size));
    const std::vector<cv::Mat> chunk(crops.begin() + static_cast<long>(start), crops.begin() + static_cast<long>(end));
    values.push_back(net.scalar(images_to_tensor(chunk).to(device, dtype)).to(torch::kCPU));
  }
  const auto group_t = torch::tensor(group, torch::kLong);
  const auto rank_t = torch::tensor(rank, torch::kLong);
  const auto pairs = sample_ranked_pairs(group_t, rank_t, options.pairs, rng);
  return ranking_certainty(torch::cat(values), rank_t, pairs);
}

}  // namespace rv
