#pragma once
// The VGG16 convolutional trunk shared by both networks, with a width multiplier
// for compact variants and optional batch normalisation.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace rv {

// Channels of VGG16's 13 conv layers at width 1.
const std::vector<int>& vgg16_channels();

// Scaled channel count, at least 8, rounded to a multiple of 4.
int scaled_channels(int base, double width);

struct VggTrunkOptions {
  double width = 1.0;
  bool batch_norm = false;
  bool pool5 = false;  // the density network drops pool5 (output stride 16)
};

// conv1_1 … conv5_3 with ReLU and the four (or five) max-pools.
torch::nn::Sequential make_vgg16_trunk(const VggTrunkOptions& options);

// Number of output channels of make_vgg16_trunk(options).
int vgg16_trunk_channels(const VggTrunkOptions& options);

// Copies the 13 conv weights and biases of a torchvision VGG16 state dict
// (the vgg16-397923af.pth layout: features.{0,2,5,...,28}.{weight,bias}) into a
// trunk made by make_vgg16_trunk with width 1. Throws rv::InputError naming the
// file when it cannot be read, a key is missing or a shape differs.
// Returns the number of tensors copied.
int import_torchvision_vgg16(torch::nn::Sequential& trunk, const std::string& pth_path);

}  // namespace rv
