#include <algorithm>

#include "common/error.h"
#include "model/conv.h"
#include "model/density_net.h"
#include "model/graph_nets.h"
#include "model/mobilenet.h"
#include "model/quality_net.h"
#include "model/vgg.h"

namespace rv {

std::string to_string(Task task) { return task == Task::Count ? "count" : "quality"; }

Task task_from_string(const std::string& name) {
  if (name == "count") return Task::Count;
  if (name == "quality") return Task::Quality;
  throw InputError("task '" + name + "': expected 'count' or 'quality'");
}

namespace {

void check_spec(const NetSpec& spec) {
  if (!(spec.width > 0.0 && spec.width <= 4.0)) {
    throw InputError("width " + std::to_string(spec.width) + ": must be in (0, 4]");
  }
  if (spec.mean.size() != 3 || spec.std.size() != 3) throw InputError("normalisation: mean and std need 3 values");
  for (double s : spec.std) {
    if (!(s > 0)) throw InputError("normalisation: std values must be positive");
  }
  if (spec.task == Task::Count && !(spec.density_scale > 0)) throw InputError("density_scale must be positive");
}

void init_weights(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& module : m.modules(/*include_self=*/false)) {
    if (auto* conv = module->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    }
  }
}

torch::Tensor check_images(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == 3, "expected images [N,3,H,W], got ", x.sizes());
  return x;
}

}  // namespace

DensityNet::DensityNet(const NetSpec& spec) : spec_(spec) {
  check_spec(spec_);
  VggTrunkOptions trunk_options{spec.width, spec.batch_norm, /*pool5=*/false};
  trunk_ = register_module("trunk", make_vgg16_trunk(trunk_options));
  head_ = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                        vgg16_trunk_channels(trunk_options), 1, 3)
                                                        .padding(1)));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
  init_weights(*this);
  torch::NoGradGuard no_grad;
  torch::nn::init::normal_(head_->weight, 0.0, 0.01);
  head_->bias.zero_();
}

torch::Tensor DensityNet::dense(const torch::Tensor& images) {
  auto x = (check_images(images) - mean_) / std_;
  return head_->forward(trunk_->forward(x)) / spec_.density_scale;
}

torch::Tensor DensityNet::scalar(const torch::Tensor& images) { return dense(images).sum({1, 2, 3}); }

QualityNet::QualityNet(const NetSpec& spec) : spec_(spec) {
  check_spec(spec_);
  VggTrunkOptions trunk_options{spec.width, spec.batch_norm, /*pool5=*/true};
  trunk_ = register_module("trunk", make_vgg16_trunk(trunk_options));
  fc_ = register_module("fc", torch::nn::Linear(vgg16_trunk_channels(trunk_options), 1));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
  init_weights(*this);
}

torch::Tensor QualityNet::dense(const torch::Tensor& images) {
  auto x = (check_images(images) - mean_) / std_;
  auto features = trunk_->forward(x).mean({2, 3});
  return fc_->forward(features).view({-1, 1, 1, 1});
}

torch::Tensor QualityNet::scalar(const torch::Tensor& images) { return dense(images).view({-1}); }

double default_width(const std::string& arch) {
  if (arch == "centernet_mnv3" || arch == "centernet_peaks") return 1.0;  // the graph fixes its widths
  return arch == "posenet_mnv1" ? 0.75 : 0.25;
}

void set_arch_normalisation(NetSpec& spec) {
  if (spec.arch == "posenet_mnv1") {
    spec.mean = {0.5, 0.5, 0.5};
    spec.std = {0.5, 0.5, 0.5};
  } else if (spec.arch == "centernet_mnv3" || spec.arch == "centernet_peaks") {  // RGB 0..255
    spec.mean = {0.0, 0.0, 0.0};
    spec.std = {1.0 / 255, 1.0 / 255, 1.0 / 255};
  } else {
    spec.mean = {0.485, 0.456, 0.406};
    spec.std = {0.229, 0.224, 0.225};
  }
}

std::vector<std::string> known_architectures() {
  return {"vgg16", "posenet_mnv1", "centernet_mnv3", "centernet_peaks"};
}

RankNetPtr build_network(const NetSpec& spec) {
  const auto archs = known_architectures();
  if (std::find(archs.begin(), archs.end(), spec.arch) == archs.end()) {
    throw InputError("architecture '" + spec.arch + "': unknown (known: vgg16, posenet_mnv1, centernet_mnv3, centernet_peaks)");
  }
  if (spec.arch == "centernet_mnv3") {
    if (spec.task == Task::Quality) return std::make_shared<GraphQualityNet>(spec);
    return std::make_shared<GraphDensityNet>(spec);
  }
  if (spec.arch == "centernet_peaks") {
    if (spec.task == Task::Quality) throw InputError("architecture 'centernet_peaks' counts people; it has no quality network");
    return std::make_shared<PeakCountNet>(spec);
  }
  if (spec.arch == "posenet_mnv1") {
    if (spec.task == Task::Quality) return std::make_shared<MobileQualityNet>(spec);
    return std::make_shared<MobileDensityNet>(spec);
  }
  if (spec.task == Task::Count) return std::make_shared<DensityNet>(spec);
  return std::make_shared<QualityNet>(spec);
}

}  // namespace rv
