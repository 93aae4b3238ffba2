#include "loss/bayesian_loss.h"

#include <cmath>

#include "common/error.h"

namespace rv {

torch::Tensor bayesian_count_loss(const torch::Tensor& density, const torch::Tensor& points, int64_t stride,
                                  const BayesianLossOptions& o) {
  if (!density.defined() || !points.defined()) throw_input_error("bayesian loss", "undefined tensor");
  if (stride < 1) throw_input_error("bayesian loss", "stride must be >= 1");
  if (!(o.sigma > 0) || !std::isfinite(o.sigma)) throw_input_error("bayesian loss", "sigma must be positive");
  if (!(o.background_distance >= 0) || !std::isfinite(o.background_distance))
    throw_input_error("bayesian loss", "background distance must be >= 0");
  const auto d = density.dim() == 3 && density.size(0) == 1 ? density[0] : density;
  if (d.dim() != 2) throw_input_error("bayesian loss", "density must be [h,w] or [1,h,w]");
  if (points.numel() > 0 && (points.dim() != 2 || points.size(1) != 2))
    throw_input_error("bayesian loss", "points must be [N,2]");
  const auto flat = d.reshape({-1});
  const int64_t n = points.numel() > 0 ? points.size(0) : 0;
  if (n == 0) return flat.sum().abs();

  const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(d.device());
  const double half = 0.5 * static_cast<double>(stride) - 0.5;
  const auto ys = torch::arange(d.size(0), opts) * static_cast<double>(stride) + half;
  const auto xs = torch::arange(d.size(1), opts) * static_cast<double>(stride) + half;
  const auto grid = torch::meshgrid({ys, xs}, "ij");  // rows, columns (no default-indexing warning)
  const auto cy = grid[0].reshape({1, -1}), cx = grid[1].reshape({1, -1});
  const auto p = points.to(opts);
  // Squared distances [N, M] from every head to every cell centre.
  auto dist = (p.narrow(1, 0, 1) - cx).pow(2) + (p.narrow(1, 1, 1) - cy).pow(2);
  if (o.background_distance > 0) {
    const auto nearest = std::get<0>(dist.min(0, /*keepdim=*/true)).clamp_min(0.0);
    const auto bg = (o.background_distance * o.background_distance) / (nearest + 1e-5);
    dist = torch::cat({dist, bg}, 0);
  }
  const auto posterior = torch::softmax(-dist / (2.0 * o.sigma * o.sigma), 0);  // [N(+1), M]
  const auto expected = torch::mv(posterior, flat.to(torch::kFloat));           // [N(+1)]
  auto target = torch::ones({expected.size(0)}, opts);
  if (o.background_distance > 0) target[n] = 0.0;
  return (target - expected).abs().sum();
}

}  // namespace rv
