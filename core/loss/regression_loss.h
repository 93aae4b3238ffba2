#pragma once
// Regression losses of the principal tasks and the multi-task sum of Eq. 5.
#include <torch/torch.h>

namespace rv {

// Counting loss L_c of Eq. 17: the squared Euclidean distance between the
// predicted and ground-truth density maps of each image, averaged over the
// batch: (1/N) Σ_i Σ_pixels (ŷ_i − y_i)². predicted and target: [N,...] with the
// same shape (typically [N,1,h,w]). Throws rv::InputError on a shape mismatch.
torch::Tensor density_euclidean_loss(const torch::Tensor& predicted, const torch::Tensor& target);

// The same loss on sums over k×k cells, for each k in `cells` (summed): a thin
// haze of h per cell, which the per-cell loss hardly sees but the count adds up,
// costs k² times more per level, while a person put one cell off costs little.
// Cells beyond the last whole k×k block are left out. [N,1,h,w] tensors.
torch::Tensor pooled_density_loss(const torch::Tensor& predicted, const torch::Tensor& target,
                                  const std::vector<int64_t>& cells = {2, 4});

// The absolute density on the cells that no ground-truth person is near: cells
// whose target, max-pooled over (2·near + 1)² cells, is below `empty` people per
// cell. Summed per image, averaged over the batch. An L1 term: a thin haze of
// density on the background, which the squared per-cell loss hardly sees, costs
// as much as the count it adds. [N,1,h,w] tensors.
torch::Tensor background_l1_loss(const torch::Tensor& predicted, const torch::Tensor& target, int64_t near = 2,
                                 double empty = 1e-3);

// IQA regression loss of Eq. 16: (1/N) Σ_i (ŷ_i − y_i)². predicted, target: [N]
// (any shape with N elements each is flattened).
torch::Tensor quality_regression_loss(const torch::Tensor& predicted, const torch::Tensor& target);

// Eq. 5: L = L_reg + λ L_rank. lambda must be finite and >= 0.
torch::Tensor multitask_loss(const torch::Tensor& regression, const torch::Tensor& ranking, double lambda);

}  // namespace rv
