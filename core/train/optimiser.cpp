#include "train/optimiser.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "model/mobilenet.h"

namespace rv {

void validate(const OptimiserOptions& o) {
  if (o.kind != "adam" && o.kind != "sgd") throw InputError("--optimiser '" + o.kind + "': expected adam or sgd");
  if (!(o.lr > 0) || !std::isfinite(o.lr)) throw InputError("--lr: must be a positive number");
  if (!(o.momentum >= 0 && o.momentum < 1)) throw InputError("--momentum: must be in [0, 1)");
  if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay)) throw InputError("--weight-decay: must be >= 0");
  if (o.lr_step < 0) throw InputError("--lr-step: must be >= 0");
  if (!(o.lr_gamma > 0 && o.lr_gamma <= 1)) throw InputError("--lr-gamma: must be in (0, 1]");
  if (o.warmup < 0) throw InputError("--warmup: must be >= 0");
  if (o.schedule != "step" && o.schedule != "cosine")
    throw InputError("--lr-schedule '" + o.schedule + "': expected step or cosine");
  if (!(o.cosine_floor >= 0 && o.cosine_floor <= 1)) throw InputError("--lr-floor: must be in [0, 1]");
  if (!(o.trunk_lr_mult > 0) || !std::isfinite(o.trunk_lr_mult)) throw InputError("--trunk-lr-mult: must be > 0");
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

std::unique_ptr<torch::optim::Optimizer> make_optimiser(torch::nn::Module& net, const OptimiserOptions& o,
                                                        std::vector<double>& multipliers) {
  validate(o);
  auto trainable = [](const std::vector<torch::Tensor>& v) {
    std::vector<torch::Tensor> out;
    for (const auto& p : v)
      if (p.requires_grad()) out.push_back(p);
    return out;
  };
  if (o.trunk_lr_mult == 1.0) {
    multipliers = {1.0};
    return make_optimiser(trainable(net.parameters()), o);
  }
  const auto split = split_trunk_parameters(net);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  multipliers.clear();
  const auto trunk = trainable(split.trunk), head = trainable(split.head);
  auto add = [&](const std::vector<torch::Tensor>& params, double mult) {
    if (params.empty()) return;
    const double lr = o.lr * mult;
    if (o.kind == "sgd")
      groups.emplace_back(params, std::make_unique<torch::optim::SGDOptions>(
                                      torch::optim::SGDOptions(lr).momentum(o.momentum).weight_decay(o.weight_decay)));
    else
      groups.emplace_back(params, std::make_unique<torch::optim::AdamOptions>(
                                      torch::optim::AdamOptions(lr).weight_decay(o.weight_decay)));
    multipliers.push_back(mult);
  };
  add(trunk, o.trunk_lr_mult);
  add(head, 1.0);
  if (groups.empty()) throw InputError("nothing to train: every parameter is frozen");
  if (o.kind == "sgd")
    return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr).momentum(o.momentum));
  return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(o.lr));
}

double learning_rate_at(const OptimiserOptions& o, long iteration) {
  double lr = o.lr;
  if (o.schedule == "cosine" && o.total > 0) {
    const long span = std::max(1L, o.total - o.warmup);
    const double t = std::clamp(static_cast<double>(iteration - o.warmup) / span, 0.0, 1.0);
    lr *= o.cosine_floor + (1.0 - o.cosine_floor) * 0.5 * (1.0 + std::cos(M_PI * t));
  } else if (o.lr_step > 0) {
    lr *= std::pow(o.lr_gamma, static_cast<double>(iteration / o.lr_step));
  }
  if (o.warmup > 0 && iteration < o.warmup) lr *= static_cast<double>(iteration + 1) / (o.warmup + 1);
  return lr;
}

void set_learning_rate(torch::optim::Optimizer& optimiser, double lr, const std::vector<double>& multipliers) {
  auto& groups = optimiser.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    const double g = multipliers.size() == groups.size() ? lr * multipliers[i] : lr;
    auto& options = groups[i].options();
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&options)) adam->lr(g);
    else if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&options)) sgd->lr(g);
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
