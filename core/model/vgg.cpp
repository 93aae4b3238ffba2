#include "model/vgg.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace rv {

const std::vector<int>& vgg16_channels() {
  static const std::vector<int> channels = {64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};
  return channels;
}

int scaled_channels(int base, double width) {
  const int c = static_cast<int>(std::lround(base * width / 4.0)) * 4;
  return std::max(8, c);
}

namespace {
// Index of the last conv of each VGG16 block; a max-pool follows it.
bool ends_block(size_t conv_index) {
  return conv_index == 1 || conv_index == 3 || conv_index == 6 || conv_index == 9 || conv_index == 12;
}
}  // namespace

torch::nn::Sequential make_vgg16_trunk(const VggTrunkOptions& options) {
  torch::nn::Sequential trunk;
  int in = 3;
  const auto& channels = vgg16_channels();
  for (size_t i = 0; i < channels.size(); ++i) {
    const int out = scaled_channels(channels[i], options.width);
    trunk->push_back(torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(!options.batch_norm)));
    if (options.batch_norm) trunk->push_back(torch::nn::BatchNorm2d(out));
    trunk->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    const bool last = i + 1 == channels.size();
    if (ends_block(i) && (!last || options.pool5)) {
      trunk->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2).ceil_mode(true)));
    }
    in = out;
  }
  return trunk;
}

int vgg16_trunk_channels(const VggTrunkOptions& options) {
  return scaled_channels(vgg16_channels().back(), options.width);
}

int import_torchvision_vgg16(torch::nn::Sequential& trunk, const std::string& pth_path) {
  std::ifstream in(pth_path, std::ios::binary);
  if (!in) throw_input_error(pth_path, "cannot open VGG16 weights file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw_input_error(pth_path, "VGG16 weights file is empty");

  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw_input_error(pth_path, std::string("not a readable PyTorch state dict (") + e.what() + ")");
  }
  if (!value.isGenericDict()) throw_input_error(pth_path, "not a state dict (expected a dict of tensors)");
  auto dict = value.toGenericDict();
  auto lookup = [&](const std::string& key) {
    auto it = dict.find(key);
    if (it == dict.end()) throw_input_error(pth_path, "missing key '" + key + "' (not a torchvision VGG16 state dict?)");
    if (!it->value().isTensor()) throw_input_error(pth_path, "key '" + key + "' is not a tensor");
    return it->value().toTensor();
  };

  // torchvision's features.N indices of the 13 convs (ReLU and pool in between).
  static const int kTorchvisionIndex[] = {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28};
  int copied = 0;
  size_t conv = 0;
  torch::NoGradGuard no_grad;
  for (const auto& child : trunk->children()) {
    auto* c = child->as<torch::nn::Conv2d>();
    if (c == nullptr) continue;
    if (conv >= 13) break;
    const std::string prefix = "features." + std::to_string(kTorchvisionIndex[conv]) + ".";
    const auto w = lookup(prefix + "weight");
    if (w.sizes() != c->weight.sizes()) {
      throw_input_error(pth_path, "shape of '" + prefix + "weight' " + c10::str(w.sizes()) +
                                      " does not match the network's " + c10::str(c->weight.sizes()) +
                                      " (VGG16 weights need --width 1)");
    }
    c->weight.copy_(w);
    ++copied;
    if (c->bias.defined()) {
      c->bias.copy_(lookup(prefix + "bias"));
      ++copied;
    }
    ++conv;
  }
  if (conv != 13) throw Error("import_torchvision_vgg16: trunk has " + std::to_string(conv) + " convs, expected 13");
  return copied;
}

}  // namespace rv
