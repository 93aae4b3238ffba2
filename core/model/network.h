#pragma once
// The networks of the paper behind one interface: every network maps a batch of
// RGB images (float, 0..1, [N,3,H,W]) to one number per image — the count for
// density networks, the quality score for IQA networks — which is what the
// ranking loss compares. Normalisation lives inside the network so callers
// never need to know the mean and std it was trained with.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "model/task.h"

namespace rv {

struct NetSpec {
  Task task = Task::Count;
  std::string arch = "vgg16";  // see known_architectures()
  double width = 1.0;          // channel multiplier: 1.0 = the paper's VGG16, 0.25 = compact CPU variant
  bool batch_norm = false;     // compact variants trained from scratch use it
  // Density networks: the head predicts density × density_scale; the network
  // divides it back so forward() is in people per output cell.
  double density_scale = 100.0;
  // Counting decoder of centernet_mnv3 (model/graph_nets.h): "" or "pool" = the stride-4
  // features averaged to stride 8; "fine" = a learned 1x1 at stride 4, its 2x2 cells
  // stacked into channels at stride 8. Empty for the other architectures.
  std::string decoder;
  std::vector<double> mean = {0.485, 0.456, 0.406};
  std::vector<double> std = {0.229, 0.224, 0.225};
  // Architectures built on a TF.js graph (centernet_mnv3): the trunk's
  // topology (model/tfjs_graph.h tfjs_subgraph), carried by the bundle so the
  // network can be rebuilt without the original model.json. Null otherwise.
  nlohmann::json graph;
};

class RankNet : public torch::nn::Module {
 public:
  ~RankNet() override = default;
  // Dense output. Count: density map [N,1,ceil(H/16),ceil(W/16)] in people per cell.
  // Quality: [N,1,1,1] raw scores.
  virtual torch::Tensor dense(const torch::Tensor& images) = 0;
  // One value per image, [N]: the count (sum of the density map) or the raw score.
  virtual torch::Tensor scalar(const torch::Tensor& images) = 0;
  // Size of one output cell in input pixels (16 for the VGG16 density network).
  virtual int output_stride() const = 0;
  virtual const NetSpec& spec() const = 0;
};
using RankNetPtr = std::shared_ptr<RankNet>;

// Registry: builds a freshly initialised network for spec.arch. Throws
// rv::InputError naming the architecture when it is unknown or the width is
// out of range.
RankNetPtr build_network(const NetSpec& spec);
// The width an architecture is built at unless asked otherwise (0.75 for
// posenet_mnv1, the released PoseNet; 0.25 for the compact VGG16).
double default_width(const std::string& arch);
// Sets spec.mean/std to what the architecture's pretrained weights expect
// (PoseNet: RGB scaled to [-1, 1]); ImageNet statistics otherwise.
void set_arch_normalisation(NetSpec& spec);
std::vector<std::string> known_architectures();

}  // namespace rv
