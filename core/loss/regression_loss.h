#pragma once
// Regression losses of the principal tasks and the multi-task sum of Eq. 5.
#include <torch/torch.h>

namespace rv {

// Counting loss L_c of Eq. 17: the squared Euclidean distance between the
// predicted and ground-truth density maps of each image, averaged over the
// batch: (1/N) Σ_i Σ_pixels (ŷ_i − y_i)². predicted and target: [N,...] with the
// same shape (typically [N,1,h,w]). Throws rv::InputError on a shape mismatch.
torch::Tensor density_euclidean_loss(const torch::Tensor& predicted, const torch::Tensor& target);

// IQA regression loss of Eq. 16: (1/N) Σ_i (ŷ_i − y_i)². predicted, target: [N]
// (any shape with N elements each is flattened).
torch::Tensor quality_regression_loss(const torch::Tensor& predicted, const torch::Tensor& target);

// Eq. 5: L = L_reg + λ L_rank. lambda must be finite and >= 0.
torch::Tensor multitask_loss(const torch::Tensor& regression, const torch::Tensor& ranking, double lambda);

}  // namespace rv
