#pragma once
// Bayesian loss for counting from point labels (Ma, Wei, Hong, Gong: "Bayesian
// Loss for Crowd Count Estimation with Point Supervision", ICCV 2019), with
// the background class of its "BL+" variant.
//
// Instead of regressing a Gaussian-smoothed density map cell by cell, each
// cell's predicted density is shared out among the annotated people (and a
// background class) by the posterior p(person n | cell m), a Gaussian of the
// distance between the cell centre and the head point. Every person's expected
// share must be 1 and the background's 0:
//   L = Σ_n |1 − Σ_m p(n|m) D(m)| + |Σ_m p(bg|m) D(m)|.
// The background's (squared) distance from a cell is d² / (min_n |x_m − z_n|²),
// so cells far from every head belong to it: a haze of density over buildings
// and roads costs as much as a missed person, where the per-cell Euclidean loss
// hardly sees it.
#include <torch/torch.h>

namespace rv {

struct BayesianLossOptions {
  double sigma = 8.0;                // Gaussian of the posterior, in input pixels
  double background_distance = 0.0;  // d in input pixels; 0 = no background class
};

// density: [h,w] or [1,h,w] predicted people per cell of a patch whose cells are
// stride×stride input pixels (cell (r, c) centred at ((c+0.5)·stride − 0.5,
// (r+0.5)·stride − 0.5)). points: [N,2] (x, y) head points in input pixels
// (N may be 0: then the whole map is background, or, without a background
// class, the loss is |Σ D|). Returns a scalar (differentiable in density).
torch::Tensor bayesian_count_loss(const torch::Tensor& density, const torch::Tensor& points, int64_t stride,
                                  const BayesianLossOptions& options);

}  // namespace rv
