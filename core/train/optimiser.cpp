#include "train/optimiser.h"

#include <cmath>

#include "common/error.h"

namespace rv {

void validate(const OptimiserOptions& o) {
  if (o.kind != "adam" && o.kind != "sgd") throw InputError("--optimiser '" + o.kind + "': expected adam or sgd");
  if (!(o.lr > 0) || !std::isfinite(o.lr)) throw InputError("--lr: must be a positive number");
  if (!(o.momentum >= 0 && o.momentum < 1)) throw InputError("--momentum: must be in [0, 1)");
  if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay)) throw InputError("--weight-decay: must be >= 0");
  if (o.lr_step < 0) throw InputError("--lr-step: must be >= 0");
  if (!(o.lr_gamma > 0 && o.lr_gamma <= 1)) throw InputError("--lr-gamma: must be in (0, 1]");
  if (o.warmup < 0) throw InputError("--warmup: must be >= 0");
}

std::unique_ptr<torch::optim::Optimizer> make_optimiser(const std::vector<torch::Tensor>& parameters,
                                                        const OptimiserOptions& o) {
  validate(o);
  if (o.kind == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(parameters,
                                              torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

double learning_rate_at(const OptimiserOptions& o, long iteration) {
  double lr = o.lr;
  if (o.lr_step > 0) lr *= std::pow(o.lr_gamma, static_cast<double>(iteration / o.lr_step));
  if (o.warmup > 0 && iteration < o.warmup) lr *= static_cast<double>(iteration + 1) / (o.warmup + 1);
  return lr;
}

void set_learning_rate(torch::optim::Optimizer& optimiser, double lr) {
  for (auto& group : optimiser.param_groups()) {
    auto& options = group.options();
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&options)) adam->lr(lr);
    else if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&options)) sgd->lr(lr);
  }
}

double clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm) {
  std::vector<torch::Tensor> with_grad;
  for (const auto& p : parameters)
    if (p.grad().defined()) with_grad.push_back(p);
  if (with_grad.empty()) return 0.0;
  if (max_norm > 0) return torch::nn::utils::clip_grad_norm_(with_grad, max_norm);
  double sq = 0;
  for (const auto& p : with_grad) sq += p.grad().pow(2).sum().item<double>();
  return std::sqrt(sq);
}

}  // namespace rv
