#pragma once
// PoseNet's MobileNetV1 trunk (Google's PoseNet, trained on COCO people) and
// the person-aware counting network built on it.
//
// The trunk is TensorFlow's MobileNetV1 as PoseNet uses it: a 3×3 stride-2
// conv, then 13 depthwise-separable blocks (3×3 depthwise + 1×1 pointwise),
// ReLU6 everywhere, TF SAME padding, output stride 16 (stride 2 at layers 0,
// 2, 4, 6 only). Base channels 32, 64, 128, 128, 256, 256, then 512 for
// blocks 6–13; PoseNet's released graph uses width 0.75 (24 … 384), which is
// what `import_tfjs_mobilenet` loads. Batch norm is folded into the convs.
//
// Counting network ("posenet_mnv1"): trunk features at stride 16 (block 13)
// and stride 8 (block 5) are projected to 64 channels each, the stride-16 map
// is upsampled bilinearly onto the stride-8 grid, and two 3×3 convs and a 1×1
// give the density map at stride 8.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/network.h"

namespace rv {

struct TfjsGraph;

// One TF-style convolution: weights in LibTorch layout, SAME padding at run time.
class TfConvImpl : public torch::nn::Module {
 public:
  TfConvImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, bool depthwise, bool relu6);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  int64_t in_channels, out_channels, kernel, stride;
  bool depthwise, relu6;
};
TORCH_MODULE(TfConv);

class MobileNetTrunkImpl : public torch::nn::Module {
 public:
  explicit MobileNetTrunkImpl(double width);
  // Features after layer index `taps[i]` (0 = first conv; block b's depthwise
  // is 2b-1, its pointwise 2b), in the order asked. Input normalised to [-1, 1].
  std::vector<torch::Tensor> forward(const torch::Tensor& x, const std::vector<int>& taps);
  size_t size() const { return layers_.size(); }
  TfConv& layer(size_t i) { return layers_[i]; }
  int64_t channels_after(size_t layer_index) const { return layers_[layer_index]->out_channels; }
  // Layer index of block b's pointwise conv (b in 1..13).
  static int pointwise(int block) { return 2 * block; }

 private:
  std::vector<TfConv> layers_;
};
TORCH_MODULE(MobileNetTrunk);

// Copies the weights of a TF.js MobileNetV1 graph (the 27-conv chain from its
// input) into `trunk`. Throws rv::InputError naming the file when no such
// chain exists or a layer's shape, stride or kind differs. Returns the number
// of layers copied.
int import_tfjs_mobilenet(MobileNetTrunk& trunk, const TfjsGraph& graph);
int import_tfjs_mobilenet(MobileNetTrunk& trunk, const std::string& model_json);

class RankNet;
// Imports the TF.js MobileNetV1 graph `model_json` into the trunk of a
// posenet_mnv1 network (counting or quality). Throws rv::InputError naming the
// file when the network has no MobileNet trunk or the graph does not fit.
int import_tfjs_trunk(RankNet& net, const std::string& model_json);
// The same from a loaded graph; also fills a graph-trunk network
// (centernet_mnv3, model/graph_nets.h) whose topology came from this graph.
int import_tfjs_trunk(RankNet& net, const TfjsGraph& graph);

class MobileDensityNet : public RankNet {
 public:
  explicit MobileDensityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 8; }
  const NetSpec& spec() const override { return spec_; }
  MobileNetTrunk& trunk() { return trunk_; }

 private:
  NetSpec spec_;
  MobileNetTrunk trunk_{nullptr};
  torch::nn::Conv2d proj16_{nullptr}, proj8_{nullptr}, fuse1_{nullptr}, fuse2_{nullptr}, out_{nullptr};
  torch::Tensor mean_, std_;
};

// Quality network ("posenet_mnv1", task quality): the same trunk; the mean and
// standard deviation over the image of six of its layers (blocks 1, 3, 5, 7,
// 11 and 13: from fine texture and noise up to what the picture shows) feed a
// small MLP to one raw score. Standard deviations keep what averaging loses
// (noise, blur and blocking change how features vary, not only their mean).
class MobileQualityNet : public RankNet {
 public:
  explicit MobileQualityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 16; }
  const NetSpec& spec() const override { return spec_; }
  MobileNetTrunk& trunk() { return trunk_; }
  // The pooled statistics [N, 2 * sum of tapped channels] the head sees.
  torch::Tensor features(const torch::Tensor& images);
  static const std::vector<int>& taps();

 private:
  NetSpec spec_;
  MobileNetTrunk trunk_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Dropout drop_{nullptr};
  torch::Tensor mean_, std_;
};

// Parameters whose name starts with "trunk." — the pretrained part, trained at
// a lower learning rate — and the rest.
struct ParameterSplit {
  std::vector<torch::Tensor> trunk, head;
};
ParameterSplit split_trunk_parameters(torch::nn::Module& net);

// The trunk's convolution modules in order ("trunk." parameters with a 4-D
// weight), named as named_parameters names their module: what freeze_trunk_layers
// and layer-wise blending count.
std::vector<std::string> trunk_conv_modules(torch::nn::Module& net);

// Stops gradients for the first `layers` convs of the network's trunk (a
// MobileDensityNet, MobileQualityNet or a VGG network; conv layers are counted in order).
// Returns how many were frozen.
int freeze_trunk_layers(torch::nn::Module& net, int layers);

}  // namespace rv
