#include "loss/regression_loss.h"

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace rv {

namespace {

std::string shape(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

}  // namespace

torch::Tensor density_euclidean_loss(const torch::Tensor& predicted, const torch::Tensor& target) {
  if (!predicted.defined() || !target.defined()) throw_input_error("counting loss", "undefined tensor");
  if (predicted.dim() < 1 || predicted.size(0) == 0) throw_input_error("counting loss", "empty batch");
  if (predicted.sizes() != target.sizes()) {
    throw_input_error("counting loss", "predicted density " + shape(predicted) + " and ground truth " + shape(target) +
                                           " differ in shape");
  }
  const auto diff = predicted - target.to(predicted.options());
  return diff.pow(2).sum() / static_cast<double>(predicted.size(0));
}

torch::Tensor background_l1_loss(const torch::Tensor& predicted, const torch::Tensor& target, int64_t near,
                                 double empty) {
  if (!predicted.defined() || !target.defined()) throw_input_error("background counting loss", "undefined tensor");
  if (predicted.dim() != 4 || predicted.sizes() != target.sizes() || predicted.size(0) == 0) {
    throw_input_error("background counting loss", "predicted density " + shape(predicted) + " and ground truth " +
                                                       shape(target) + " must be the same non-empty [N,1,h,w]");
  }
  if (near < 0 || !(empty > 0)) throw_input_error("background counting loss", "near must be >= 0 and empty > 0");
  const auto t = target.to(predicted.options());
  const auto peak = torch::max_pool2d(t, {2 * near + 1, 2 * near + 1}, {1, 1}, {near, near});
  const auto background = (peak < empty).to(predicted.scalar_type());
  return (predicted.abs() * background).sum() / static_cast<double>(predicted.size(0));
}

torch::Tensor pooled_density_loss(const torch::Tensor& predicted, const torch::Tensor& target,
                                  const std::vector<int64_t>& cells) {
  if (!predicted.defined() || !target.defined()) throw_input_error("pooled counting loss", "undefined tensor");
  if (predicted.dim() != 4 || predicted.sizes() != target.sizes()) {
    throw_input_error("pooled counting loss", "predicted density " + shape(predicted) + " and ground truth " +
                                                  shape(target) + " must be the same [N,1,h,w]");
  }
  auto total = torch::zeros({}, predicted.options());
  for (int64_t k : cells) {
    if (k < 1) throw_input_error("pooled counting loss", "cell block size must be >= 1");
    const auto sum_pool = [k](const torch::Tensor& t) {
      return torch::avg_pool2d(t, {k, k}, {k, k}) * static_cast<double>(k * k);
    };
    total = total + density_euclidean_loss(sum_pool(predicted), sum_pool(target.to(predicted.options())));
  }
  return total;
}

torch::Tensor quality_regression_loss(const torch::Tensor& predicted, const torch::Tensor& target) {
  if (!predicted.defined() || !target.defined()) throw_input_error("quality loss", "undefined tensor");
  if (predicted.numel() == 0) throw_input_error("quality loss", "empty batch");
  if (predicted.numel() != target.numel()) {
    throw_input_error("quality loss", std::to_string(predicted.numel()) + " predictions but " +
                                          std::to_string(target.numel()) + " targets");
  }
  return (predicted.reshape({-1}) - target.reshape({-1}).to(predicted.options())).pow(2).mean();
}

torch::Tensor multitask_loss(const torch::Tensor& regression, const torch::Tensor& ranking, double lambda) {
  if (!std::isfinite(lambda) || lambda < 0) {
    throw_input_error("lambda", "must be finite and >= 0, got " + std::to_string(lambda));
  }
  return regression + lambda * ranking;
}

}  // namespace rv
