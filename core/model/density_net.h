#pragma once
// Counting network of §5.3: VGG16 conv1_1…conv5_3 without pool5, then a 3×3
// conv to one density channel; the count is the sum of the map.
#include "model/network.h"

namespace rv {

class DensityNet : public RankNet {
 public:
  explicit DensityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 16; }
  const NetSpec& spec() const override { return spec_; }
  torch::nn::Sequential& trunk() { return trunk_; }

 private:
  NetSpec spec_;
  torch::nn::Sequential trunk_{nullptr};
  torch::nn::Conv2d head_{nullptr};
  torch::Tensor mean_, std_;
};

}  // namespace rv
