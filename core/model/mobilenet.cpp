#include "model/mobilenet.h"

#include "model/conv.h"

#include <cmath>

#include "common/error.h"
#include "model/graph_nets.h"
#include "model/tfjs_graph.h"

namespace rv {

namespace {

// PoseNet's MobileNetV1: base channels of the first conv and the 13 blocks, and their strides.
const std::vector<int> kBaseChannels = {32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512};
const std::vector<int> kStrides = {2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1};

int64_t width_channels(int base, double width) {
  return std::max<int64_t>(8, static_cast<int64_t>(std::lround(base * width)));
}

}  // namespace

TfConvImpl::TfConvImpl(int64_t in, int64_t out, int64_t k, int64_t s, bool dw, bool r6)
    : in_channels(in), out_channels(out), kernel(k), stride(s), depthwise(dw), relu6(r6) {
  weight = register_parameter("weight", torch::empty({out, dw ? 1 : in, k, k}));
  bias = register_parameter("bias", torch::zeros({out}));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
}

torch::Tensor TfConvImpl::forward(const torch::Tensor& x) {
  auto y = tf_conv2d(x, weight, bias, stride, 1, depthwise ? in_channels : 1, /*same_padding=*/true);
  return relu6 ? torch::clamp(y, 0.0, 6.0) : y;
}

MobileNetTrunkImpl::MobileNetTrunkImpl(double width) {
  int64_t in = 3;
  for (size_t b = 0; b < kBaseChannels.size(); ++b) {
    const int64_t out = width_channels(kBaseChannels[b], width);
    if (b == 0) {
      layers_.push_back(register_module("conv0", TfConv(in, out, 3, kStrides[b], false, true)));
    } else {
      layers_.push_back(register_module("dw" + std::to_string(b), TfConv(in, in, 3, kStrides[b], true, true)));
      layers_.push_back(register_module("pw" + std::to_string(b), TfConv(in, out, 1, 1, false, true)));
    }
    in = out;
  }
}

std::vector<torch::Tensor> MobileNetTrunkImpl::forward(const torch::Tensor& x, const std::vector<int>& taps) {
  int last = -1;
  for (int t : taps) {
    TORCH_CHECK(t >= 0 && t < static_cast<int>(layers_.size()), "MobileNet tap ", t, " out of range");
    last = std::max(last, t);
  }
  std::vector<torch::Tensor> found(taps.size());
  auto y = x;
  for (int i = 0; i <= last; ++i) {
    y = layers_[i]->forward(y);
    for (size_t k = 0; k < taps.size(); ++k)
      if (taps[k] == i) found[k] = y;
  }
  return found;
}

int import_tfjs_mobilenet(MobileNetTrunk& trunk, const TfjsGraph& graph) {
  const std::string end = tfjs_find_chain_end(graph, trunk->size());
  if (end.empty())
    throw_input_error(graph.path, "no chain of " + std::to_string(trunk->size()) +
                                      " convolutions from the input (not a MobileNetV1 graph)");
  const auto chain = tfjs_conv_chain(graph, end);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < chain.size(); ++i) {
    const auto& src = chain[i];
    auto& dst = trunk->layer(i);
    const bool fits = src.depthwise == dst->depthwise && src.stride == dst->stride && src.kernel == dst->kernel &&
                      src.dilation == 1 && src.same_padding && src.weight.sizes() == dst->weight.sizes() &&
                      src.activation == "relu6" && src.bias.defined();
    if (!fits)
      throw_input_error(graph.path, "layer " + std::to_string(i) + " ('" + src.name + "', " +
                                        (src.depthwise ? "depthwise " : "") + c10::str(src.weight.sizes()) +
                                        " stride " + std::to_string(src.stride) + ", " +
                                        (src.activation.empty() ? "linear" : src.activation) +
                                        ") does not fit the trunk's " + (dst->depthwise ? "depthwise " : "") +
                                        c10::str(dst->weight.sizes()) + " stride " + std::to_string(dst->stride) +
                                        " relu6 (a MobileNetV1 of another width?)");
    dst->weight.copy_(src.weight);
    dst->bias.copy_(src.bias);
  }
  return static_cast<int>(chain.size());
}

int import_tfjs_mobilenet(MobileNetTrunk& trunk, const std::string& model_json) {
  return import_tfjs_mobilenet(trunk, load_tfjs_graph(model_json));
}

int import_tfjs_trunk(RankNet& net, const std::string& model_json) {
  return import_tfjs_trunk(net, load_tfjs_graph(model_json));
}

int import_tfjs_trunk(RankNet& net, const TfjsGraph& graph) {
  if (auto* d = dynamic_cast<MobileDensityNet*>(&net)) return import_tfjs_mobilenet(d->trunk(), graph);
  if (auto* q = dynamic_cast<MobileQualityNet*>(&net)) return import_tfjs_mobilenet(q->trunk(), graph);
  if (auto* c = dynamic_cast<GraphDensityNet*>(&net)) return c->trunk()->load_weights(graph);
  if (auto* c = dynamic_cast<GraphQualityNet*>(&net)) return c->trunk()->load_weights(graph);
  if (auto* c = dynamic_cast<PeakCountNet*>(&net)) return c->trunk()->load_weights(graph);
  throw InputError(graph.path + ": a TF.js graph initialises the trunk of --arch posenet_mnv1 or centernet_mnv3 only (this network is '" +
                   net.spec().arch + "')");
}

MobileDensityNet::MobileDensityNet(const NetSpec& spec) : spec_(spec) {
  if (!(spec.width > 0.0 && spec.width <= 4.0)) throw InputError("width " + std::to_string(spec.width) + ": must be in (0, 4]");
  if (!(spec.density_scale > 0)) throw InputError("density_scale must be positive");
  trunk_ = register_module("trunk", MobileNetTrunk(spec.width));
  const int64_t c8 = trunk_->channels_after(MobileNetTrunkImpl::pointwise(5));
  const int64_t c16 = trunk_->channels_after(trunk_->size() - 1);
  using torch::nn::Conv2dOptions;
  proj16_ = register_module("proj16", torch::nn::Conv2d(Conv2dOptions(c16, 64, 1)));
  proj8_ = register_module("proj8", torch::nn::Conv2d(Conv2dOptions(c8, 64, 1)));
  fuse1_ = register_module("fuse1", torch::nn::Conv2d(Conv2dOptions(128, 64, 3).padding(1)));
  fuse2_ = register_module("fuse2", torch::nn::Conv2d(Conv2dOptions(64, 32, 3).padding(1)));
  out_ = register_module("out", torch::nn::Conv2d(Conv2dOptions(32, 1, 1)));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
  init_density_decoder({&proj16_, &proj8_, &fuse1_, &fuse2_}, out_);
}

torch::Tensor MobileDensityNet::dense(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "expected images [N,3,H,W], got ", images.sizes());
  const auto x = (images - mean_) / std_;
  const auto f = trunk_->forward(x, {MobileNetTrunkImpl::pointwise(5), static_cast<int>(trunk_->size()) - 1});
  const auto f8 = torch::relu(conv2d(proj8_, f[0]));
  auto f16 = torch::relu(conv2d(proj16_, f[1]));
  f16 = torch::nn::functional::interpolate(
      f16, torch::nn::functional::InterpolateFuncOptions()
               .size(std::vector<int64_t>{f8.size(2), f8.size(3)})
               .mode(torch::kBilinear)
               .align_corners(false));
  auto y = torch::relu(conv2d(fuse1_, torch::cat({f16, f8}, 1)));
  y = torch::relu(conv2d(fuse2_, y));
  return conv2d(out_, y) / spec_.density_scale;
}

torch::Tensor MobileDensityNet::scalar(const torch::Tensor& images) { return dense(images).sum({1, 2, 3}); }

const std::vector<int>& MobileQualityNet::taps() {
  static const std::vector<int> t = {MobileNetTrunkImpl::pointwise(1),  MobileNetTrunkImpl::pointwise(3),
                                     MobileNetTrunkImpl::pointwise(5),  MobileNetTrunkImpl::pointwise(7),
                                     MobileNetTrunkImpl::pointwise(11), MobileNetTrunkImpl::pointwise(13)};
  return t;
}

MobileQualityNet::MobileQualityNet(const NetSpec& spec) : spec_(spec) {
  if (!(spec.width > 0.0 && spec.width <= 4.0)) throw InputError("width " + std::to_string(spec.width) + ": must be in (0, 4]");
  trunk_ = register_module("trunk", MobileNetTrunk(spec.width));
  int64_t features = 0;
  for (int t : taps()) features += 2 * trunk_->channels_after(t);
  fc1_ = register_module("fc1", torch::nn::Linear(features, 128));
  drop_ = register_module("drop", torch::nn::Dropout(0.25));
  fc2_ = register_module("fc2", torch::nn::Linear(128, 1));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
}

torch::Tensor MobileQualityNet::features(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "expected images [N,3,H,W], got ", images.sizes());
  return mean_sd_statistics(trunk_->forward((images - mean_) / std_, taps()));
}

torch::Tensor MobileQualityNet::dense(const torch::Tensor& images) {
  auto h = torch::relu(fc1_->forward(features(images)));
  return fc2_->forward(drop_->forward(h)).view({-1, 1, 1, 1});
}

torch::Tensor MobileQualityNet::scalar(const torch::Tensor& images) { return dense(images).view({-1}); }

ParameterSplit split_trunk_parameters(torch::nn::Module& net) {
  ParameterSplit s;
  for (const auto& p : net.named_parameters(/*recurse=*/true)) {
    (p.key().rfind("trunk.", 0) == 0 ? s.trunk : s.head).push_back(p.value());
  }
  return s;
}

std::vector<std::string> trunk_conv_modules(torch::nn::Module& net) {
  std::vector<std::string> modules;
  for (const auto& p : net.named_parameters(true)) {
    const std::string& name = p.key();
    if (name.rfind("trunk.", 0) != 0 || name.find("weight") == std::string::npos) continue;
    // Count convolutions (4-D weights) only; batch-norm weights stay with their conv.
    if (p.value().dim() == 4) modules.push_back(name.substr(0, name.rfind('.')));
  }
  return modules;
}

int freeze_trunk_layers(torch::nn::Module& net, int layers) {
  if (layers <= 0) return 0;
  const std::vector<std::string> modules = trunk_conv_modules(net);
  const int n = std::min<int>(layers, static_cast<int>(modules.size()));
  for (auto& p : net.named_parameters(true)) {
    const std::string& name = p.key();
    if (name.rfind("trunk.", 0) != 0) continue;
    const std::string module = name.substr(0, name.rfind('.'));
    for (int i = 0; i < n; ++i)
      if (module == modules[i]) p.value().set_requires_grad(false);
  }
  return n;
}

}  // namespace rv
