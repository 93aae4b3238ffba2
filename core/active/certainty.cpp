#include "active/certainty.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "ranking/comparability.h"

namespace rv {

torch::Tensor sample_ranked_pairs(const torch::Tensor& group, const torch::Tensor& rank, int64_t k_pairs,
                                  std::mt19937& rng) {
  if (k_pairs < 1) throw_input_error("certainty pairs K", "must be >= 1, got " + std::to_string(k_pairs));
  // l_ij = +1 marks exactly the pairs with rank_i < rank_j in one group.
  const auto l = comparability_matrix(group.to(torch::kCPU), rank.to(torch::kCPU));
  const auto ordered = (l == 1).nonzero();  // [P,2], (lower, higher)
  const int64_t available = ordered.size(0);
  if (available == 0) throw_input_error("certainty pairs", "no two items of one group have different ranks");
  std::vector<int64_t> pick;
  if (k_pairs <= available) {
    std::vector<int64_t> idx(static_cast<size_t>(available));
    for (int64_t i = 0; i < available; ++i) idx[static_cast<size_t>(i)] = i;
    for (int64_t i = 0; i < k_pairs; ++i) {  // partial Fisher–Yates
      std::uniform_int_distribution<int64_t> d(i, available - 1);
      std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(d(rng))]);
    }
    pick.assign(idx.begin(), idx.begin() + k_pairs);
  } else {
    std::uniform_int_distribution<int64_t> d(0, available - 1);
    for (int64_t i = 0; i < k_pairs; ++i) pick.push_back(d(rng));
  }
  return ordered.index_select(0, torch::tensor(pick, torch::kLong));
}

double ranking_certainty(const torch::Tensor& values, const torch::Tensor& rank, const torch::Tensor& pairs) {
  if (!values.defined() || values.dim() != 1) throw_input_error("certainty", "values must be a 1-D tensor [M]");
  if (!rank.defined() || rank.dim() != 1 || rank.size(0) != values.size(0)) {
    throw_input_error("certainty", "rank must be [M] like the values");
  }
  if (!pairs.defined() || pairs.dim() != 2 || pairs.size(1) != 2 || pairs.size(0) == 0) {
    throw_input_error("certainty", "pairs must be a non-empty [K,2] tensor");
  }
  const auto p = pairs.to(torch::kCPU, torch::kLong);
  const int64_t m = values.size(0);
  if (p.min().item<int64_t>() < 0 || p.max().item<int64_t>() >= m) {
    throw_input_error("certainty", "pair index out of range for " + std::to_string(m) + " items");
  }
  const auto v = values.detach().to(torch::kCPU, torch::kDouble);
  const auto r = rank.to(torch::kCPU, torch::kLong);
  const auto lower = p.select(1, 0), higher = p.select(1, 1);
  if (!(r.index_select(0, lower) < r.index_select(0, higher)).all().item<bool>()) {
    throw_input_error("certainty", "every pair must go from a lower to a strictly higher rank");
  }
  const auto correct = v.index_select(0, lower) < v.index_select(0, higher);
  return correct.to(torch::kDouble).mean().item<double>();
}

}  // namespace rv
