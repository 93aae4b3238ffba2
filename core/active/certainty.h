#pragma once
// Ranking certainty of §3.4 (Eq. 15): on K pairs of ranked versions of one
// unlabeled image whose order is known (φ_i < φ_j), the fraction the network
// orders correctly. Images the network is least certain about are the most
// useful to label (Algorithm 1).
#include <torch/torch.h>

#include <cstdint>
#include <random>

namespace rv {

// K index pairs [K,2] int64 (CPU): column 0 the lower-ranked item, column 1 the
// higher-ranked item of the same group (rank strictly smaller). Drawn uniformly
// without replacement from all such pairs when K does not exceed their number,
// otherwise uniformly with replacement. group, rank: [M] integers.
// Throws rv::InputError when K < 1 or there is no ordered pair at all.
torch::Tensor sample_ranked_pairs(const torch::Tensor& group, const torch::Tensor& rank, int64_t k_pairs,
                                  std::mt19937& rng);

// Eq. 15: (1/K) Σ T(value[lower] < value[higher]) over the pairs; ties count as
// wrong (the predicate is strict). values: [M] network outputs; rank: [M];
// pairs: [K,2] from sample_ranked_pairs. Throws rv::InputError when a pair's
// ranks are not strictly increasing or an index is out of range.
double ranking_certainty(const torch::Tensor& values, const torch::Tensor& rank, const torch::Tensor& pairs);

}  // namespace rv
