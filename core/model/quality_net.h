#pragma once
// IQA network of §4.3: the VGG16 trunk, pooled, to one score. Global average
// pooling instead of the fully connected layers keeps it usable at any input
// size and small enough for compact variants.
#include "model/network.h"

namespace rv {

class QualityNet : public RankNet {
 public:
  explicit QualityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 32; }
  const NetSpec& spec() const override { return spec_; }
  torch::nn::Sequential& trunk() { return trunk_; }

 private:
  NetSpec spec_;
  torch::nn::Sequential trunk_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::Tensor mean_, std_;
};

}  // namespace rv
