#pragma once
// A TF.js graph (the part tfjs_subgraph() cut out: input to chosen outputs) as
// a trainable LibTorch module. Convolution weights become parameters, in
// LibTorch layout, one child module per convolution ("n<index>", in an order
// where inputs come first, so freezing the first k convolutions freezes the
// layers nearest the input); small constants become buffers. The topology is
// plain JSON, so a model bundle can carry it and rebuild the network without
// the original model.json.
//
// Ops run as TensorFlow defines them: SAME padding exactly (asymmetric when
// odd), ResizeBilinear with TF's align_corners / half_pixel_centers
// conventions (legacy TF resizing is not PyTorch's), channels-last constants
// turned to NCHW.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace rv {

struct TfjsGraph;

class GraphConvImpl : public torch::nn::Module {
 public:
  GraphConvImpl(std::vector<int64_t> hwio, bool depthwise, bool bias);
  torch::Tensor weight, bias;  // [out, in/groups, kh, kw]; bias undefined when absent
  int64_t groups = 1;
};
TORCH_MODULE(GraphConv);

class TfjsGraphNetImpl : public torch::nn::Module {
 public:
  // `source` names where the topology came from, for error messages.
  explicit TfjsGraphNetImpl(const nlohmann::json& topology, const std::string& source = "graph topology");
  // NCHW float input, in the range the graph expects; one tensor per output, NCHW.
  std::vector<torch::Tensor> forward(const torch::Tensor& x);
  // Copies the weights of the graph's nodes of the same names. Throws
  // rv::InputError naming the graph file and node when one is missing or
  // its shape differs. Returns the number of tensors copied.
  int load_weights(const TfjsGraph& graph);
  const nlohmann::json& topology() const { return topology_; }
  // Channels of output i (from the topology's shapes), -1 when unknown.
  int64_t output_channels(size_t i) const;
  // The caller reads only the first n channels of output i: when that output is a
  // convolution that no other node reads, forward() computes just those (the
  // rest of its weights stay, untouched, so the module still loads and saves
  // whole). Returns whether it applied. Throws when i is out of range or n < 1.
  bool keep_output_channels(size_t i, int64_t n);

 private:
  struct Node {
    std::string name, op;
    std::vector<int64_t> in;
    GraphConv conv{nullptr};
    torch::Tensor value;  // const: NCHW-broadcastable; bias_add: parameter [C]
    int64_t stride = 1, dilation = 1, k = 1, factor = 1;
    bool same = true, depthwise = false, keep_dims = true, align_corners = false, half_pixel = false, max_pool = true;
    std::string act;
    int64_t channels = -1;
    int64_t keep = 0;  // conv: compute only the first `keep` output channels (0 = all)
  };
  nlohmann::json topology_;
  std::string source_;
  std::vector<Node> nodes_;
  std::vector<int64_t> outputs_;
  std::vector<size_t> last_use_;  // index of the last node that reads each node (outputs: past the end)
};
TORCH_MODULE(TfjsGraphNet);

// TensorFlow's ResizeBilinear on NCHW (align_corners, half_pixel_centers as TF).
torch::Tensor tf_resize_bilinear(const torch::Tensor& x, int64_t out_h, int64_t out_w, bool align_corners,
                                 bool half_pixel_centers);

}  // namespace rv
