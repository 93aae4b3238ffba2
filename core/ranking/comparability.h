#pragma once
// The comparability matrix l_ij of Eq. 14. Only items cut from the same source
// (same group) are ordered; within a group a HIGHER rank means a larger-or-equal
// true value (largest nested crop, pristine image). Items with equal ranks are
// not comparable, because the loss would have no direction to push them.
#include <torch/torch.h>

namespace rv {

// group, rank: [M] integer tensors (any integer dtype, any device).
// Returns l [M,M] int64 on the same device:
//   +1  same group and rank_i < rank_j  (item j must score higher)
//   -1  same group and rank_i > rank_j
//    0  different group, equal ranks, or i == j.
// l is antisymmetric (l_ji = -l_ij), so the upper triangle (i < j) holds every
// comparable pair exactly once. Throws rv::InputError on shape or dtype errors.
torch::Tensor comparability_matrix(const torch::Tensor& group, const torch::Tensor& rank);

// Boolean [M,M] mask of the comparable pairs with i < j (the pairs of Eq. 8).
torch::Tensor comparable_upper_mask(const torch::Tensor& l);

}  // namespace rv
