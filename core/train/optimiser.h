#pragma once
// Optimiser and learning-rate schedule shared by the trainers. The paper uses
// SGD (momentum 0.9, weight decay 5e-4, lr ×0.1 every 5k of 10k iterations)
// from ImageNet weights; from scratch on CPU Adam converges far faster, so it
// is the CLI default.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace rv {

struct OptimiserOptions {
  std::string kind = "adam";  // "adam" | "sgd"
  double lr = 1e-4;
  double momentum = 0.9;      // SGD
  double weight_decay = 5e-4;
  long lr_step = 0;           // multiply lr by lr_gamma every lr_step iterations (0 = constant)
  double lr_gamma = 0.1;
  long warmup = 0;            // linear warm-up iterations (0 = none)
  std::string schedule = "step";  // "step" (lr_step/lr_gamma) | "cosine" (to lr * cosine_floor at `total`)
  double cosine_floor = 0.01;
  long total = 0;             // iterations of the whole run (cosine); set by the trainer
  double trunk_lr_mult = 1.0; // lr factor of the pretrained trunk's parameters ("trunk.*")
};

// Throws rv::InputError naming the option ("--optimiser", "--lr", ...) for
// unknown kinds or values out of range.
void validate(const OptimiserOptions& options);

std::unique_ptr<torch::optim::Optimizer> make_optimiser(const std::vector<torch::Tensor>& parameters,
                                                        const OptimiserOptions& options);

// Two parameter groups: the network's "trunk.*" parameters at lr × trunk_lr_mult
// and the rest at lr (one group when trunk_lr_mult is 1). Parameters that do
// not require gradients are left out. `multipliers` receives each group's lr
// factor, for set_learning_rate.
std::unique_ptr<torch::optim::Optimizer> make_optimiser(torch::nn::Module& net, const OptimiserOptions& options,
                                                        std::vector<double>& multipliers);

// The learning rate of iteration `iteration` (0-based): warm-up then steps.
double learning_rate_at(const OptimiserOptions& options, long iteration);

// Sets the lr of every parameter group (Adam and SGD), times the group's
// multiplier when `multipliers` has one per group.
void set_learning_rate(torch::optim::Optimizer& optimiser, double lr, const std::vector<double>& multipliers = {});

// Gradient norm clipping over all parameters with a gradient; returns the norm
// before clipping (max_norm <= 0: only measures).
double clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm);

}  // namespace rv
