#pragma once
// Pair selection for the ablations of Tables 1 and 5. All three modes use the
// same single forward pass; they only differ in which comparable pairs enter
// the loss:
//   Efficient — every comparable pair of the batch (the paper's method),
//   Random    — n comparable pairs drawn uniformly without replacement,
//   Hard      — the n comparable pairs with the highest hinge loss.
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>

#include "loss/ranking_loss.h"

namespace rv {

enum class PairMode { Efficient, Random, Hard };

std::string to_string(PairMode mode);
// "efficient" | "random" | "hard"; throws rv::InputError naming the value otherwise.
PairMode pair_mode_from_string(const std::string& name);

// Number of comparable pairs with i < j in l.
int64_t count_comparable_pairs(const torch::Tensor& l);

// [M,M] bool mask (device of l) of min(n, #comparable) comparable pairs (i < j)
// drawn uniformly without replacement with rng. n must be >= 0.
torch::Tensor random_pair_mask(const torch::Tensor& l, int64_t n, std::mt19937& rng);

// [M,M] bool mask of the min(n, #comparable) comparable pairs with the highest
// hinge term max(0, l_ij (y_i − y_j) + margin); y is read, not differentiated.
torch::Tensor hard_pair_mask(const torch::Tensor& y, const torch::Tensor& l, int64_t n, double margin);

// The mask for a mode (Efficient ignores n and rng).
torch::Tensor select_pairs(PairMode mode, const torch::Tensor& y, const torch::Tensor& l, int64_t n, double margin,
                           std::mt19937& rng);

// L_rank for a mode in one call: l from group/rank, the mode's mask, then
// ranking_hinge_loss_masked. n is the number of pairs for Random and Hard.
torch::Tensor ranking_loss_for_mode(PairMode mode, const torch::Tensor& y, const torch::Tensor& group,
                                    const torch::Tensor& rank, int64_t n, const RankingLossOptions& options,
                                    std::mt19937& rng);

}  // namespace rv
