#include "model/tfjs_module.h"

#include <algorithm>

#include "common/error.h"
#include "model/conv.h"
#include "model/tfjs_graph.h"

namespace rv {

namespace F = torch::nn::functional;

GraphConvImpl::GraphConvImpl(std::vector<int64_t> hwio, bool depthwise, bool with_bias) {
  const int64_t kh = hwio[0], kw = hwio[1], in = hwio[2], out = depthwise ? hwio[2] * hwio[3] : hwio[3];
  groups = depthwise ? in : 1;
  weight = register_parameter("weight", torch::empty({out, depthwise ? 1 : in, kh, kw}));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
  if (with_bias) bias = register_parameter("bias", torch::zeros({out}));
}

namespace {

// One axis of TF's ResizeBilinear: source rows lo/hi and the weight of hi.
struct Axis {
  torch::Tensor lo, hi, w;
};

Axis resize_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, const torch::Device& device) {
  const double scale = (align_corners && out > 1) ? double(in - 1) / double(out - 1) : double(in) / double(out);
  auto d = torch::arange(out, torch::TensorOptions().dtype(torch::kDouble));
  auto src = half_pixel ? (d + 0.5) * scale - 0.5 : d * scale;
  src = torch::clamp_min(src, 0.0);
  auto lo = torch::clamp_max(torch::floor(src), double(in - 1)).to(torch::kLong);
  auto hi = torch::clamp_max(lo + 1, in - 1);
  auto w = (src - lo.to(torch::kDouble)).to(torch::kFloat);
  return {lo.to(device), hi.to(device), w.to(device)};
}

// TF's legacy resize (no align_corners, no half-pixel centres) by a whole factor f, as
// slices instead of gathers: output row f·i + k is x[i]·(1 − k/f) + x[min(i + 1, n − 1)]·k/f.
// Worked in NHWC so a channels-last input (oneDNN's) stays channels-last without a copy.
torch::Tensor upsample_axis(const torch::Tensor& nhwc, int64_t dim, int64_t f) {
  const int64_t n = nhwc.size(dim);
  const auto next = n > 1 ? torch::cat({nhwc.narrow(dim, 1, n - 1), nhwc.narrow(dim, n - 1, 1)}, dim) : nhwc;
  std::vector<torch::Tensor> parts{nhwc};
  for (int64_t k = 1; k < f; ++k) {
    const double w = double(k) / double(f);
    parts.push_back(nhwc * (1 - w) + next * w);
  }
  auto shape = nhwc.sizes().vec();
  shape[dim] *= f;
  return torch::stack(parts, dim + 1).reshape(shape);
}

}  // namespace

torch::Tensor tf_resize_bilinear(const torch::Tensor& x, int64_t out_h, int64_t out_w, bool align_corners,
                                 bool half_pixel_centers) {
  TORCH_CHECK(x.dim() == 4, "tf_resize_bilinear: NCHW input expected, got ", x.sizes());
  const int64_t fh = out_h / x.size(2), fw = out_w / x.size(3);
  if (!align_corners && !half_pixel_centers && fh >= 1 && fw >= 1 && fh * x.size(2) == out_h &&
      fw * x.size(3) == out_w) {
    auto y = x.permute({0, 2, 3, 1});
    if (fh > 1) y = upsample_axis(y, 1, fh);
    if (fw > 1) y = upsample_axis(y, 2, fw);
    return y.permute({0, 3, 1, 2});
  }
  const auto ay = resize_axis(x.size(2), out_h, align_corners, half_pixel_centers, x.device());
  const auto ax = resize_axis(x.size(3), out_w, align_corners, half_pixel_centers, x.device());
  const auto wy = ay.w.to(x.dtype()).view({1, 1, -1, 1}), wx = ax.w.to(x.dtype()).view({1, 1, 1, -1});
  auto y = x.index_select(2, ay.lo) * (1 - wy) + x.index_select(2, ay.hi) * wy;
  return y.index_select(3, ax.lo) * (1 - wx) + y.index_select(3, ax.hi) * wx;
}

TfjsGraphNetImpl::TfjsGraphNetImpl(const nlohmann::json& topology, const std::string& source)
    : topology_(topology), source_(source) {
  try {
    const auto& nodes = topology.at("nodes");
    for (size_t i = 0; i < nodes.size(); ++i) {
      const auto& j = nodes[i];
      Node n;
      n.name = j.at("name").get<std::string>();
      n.op = j.at("op").get<std::string>();
      n.in = j.at("in").get<std::vector<int64_t>>();
      for (auto k : n.in)
        if (k < 0 || k >= static_cast<int64_t>(i))
          throw_input_error(source_, "node " + std::to_string(i) + " ('" + n.name + "') takes input " +
                                         std::to_string(k) + ", which does not come before it");
      const std::string id = "n" + std::to_string(i);
      if (n.op == "conv") {
        const auto shape = j.at("shape").get<std::vector<int64_t>>();
        if (shape.size() != 4 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 || shape[3] < 1)
          throw_input_error(source_, "node '" + n.name + "': kernel shape is not 4 positive sizes");
        n.depthwise = j.at("depthwise").get<bool>();
        n.conv = register_module(id, GraphConv(shape, n.depthwise, j.at("bias").get<bool>()));
        n.stride = j.at("stride").get<int64_t>();
        n.dilation = j.at("dilation").get<int64_t>();
        n.same = j.at("same").get<bool>();
        n.act = j.at("act").get<std::string>();
        n.channels = n.conv->weight.size(0);
        if (n.stride < 1 || n.dilation < 1) throw_input_error(source_, "node '" + n.name + "': stride and dilation must be >= 1");
        if (n.act != "" && n.act != "relu" && n.act != "relu6")
          throw_input_error(source_, "node '" + n.name + "': activation '" + n.act + "' is not supported");
      } else if (n.op == "bias_add") {
        const auto shape = j.at("shape").get<std::vector<int64_t>>();
        n.value = register_parameter(id + "_bias", torch::zeros({shape.empty() ? 1 : shape.back()}));
      } else if (n.op == "const") {
        const auto shape = j.at("shape").get<std::vector<int64_t>>();
        const auto v = j.at("value").get<std::vector<float>>();
        int64_t count = 1;
        for (auto d : shape) count *= d;
        if (count != static_cast<int64_t>(v.size()))
          throw_input_error(source_, "constant '" + n.name + "' has " + std::to_string(v.size()) + " values for shape " +
                                         c10::str(shape));
        auto t = torch::tensor(v).reshape(shape);
        if (t.numel() == 1) t = t.reshape({});
        else if (t.dim() == 1) t = t.view({1, -1, 1, 1});
        else if (t.dim() == 4) t = t.permute({0, 3, 1, 2}).contiguous();
        n.value = register_buffer(id + "_const", t);
      } else if (n.op == "resize") {
        n.factor = j.at("factor").get<int64_t>();
        n.align_corners = j.at("align_corners").get<bool>();
        n.half_pixel = j.at("half_pixel_centers").get<bool>();
        if (n.factor < 1 || n.factor > 64) throw_input_error(source_, "node '" + n.name + "': resize factor out of range");
      } else if (n.op == "pool") {
        n.max_pool = j.at("kind").get<std::string>() == "max";
        n.k = j.at("k").get<int64_t>();
        n.stride = j.at("stride").get<int64_t>();
        n.same = j.at("same").get<bool>();
        if (n.k < 1 || n.stride < 1) throw_input_error(source_, "node '" + n.name + "': pool size and stride must be >= 1");
      } else if (n.op == "mean") {
        n.keep_dims = j.at("keep_dims").get<bool>();
      } else if (n.op != "input" && n.op != "identity" && n.op != "relu" && n.op != "relu6" && n.op != "sigmoid" &&
                 n.op != "add" && n.op != "sub" && n.op != "mul" && n.op != "concat") {
        throw_input_error(source_, "node '" + n.name + "': op '" + n.op + "' is not supported");
      }
      const size_t arity = n.op == "input" || n.op == "const" ? 0 : (n.op == "add" || n.op == "sub" || n.op == "mul") ? 2 : 1;
      if (n.op == "concat" ? n.in.size() < 2 : n.in.size() != arity)
        throw_input_error(source_, "node '" + n.name + "' (" + n.op + ") has " + std::to_string(n.in.size()) + " inputs");
      nodes_.push_back(std::move(n));
    }
    outputs_ = topology.at("outputs").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(source_, std::string("malformed graph topology (") + e.what() + ")");
  }
  for (auto o : outputs_)
    if (o < 0 || o >= static_cast<int64_t>(nodes_.size())) throw_input_error(source_, "output index out of range");
  if (nodes_.empty() || std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.op == "input"; }) != 1)
    throw_input_error(source_, "graph topology needs exactly one input");
  // Last use of every node, so forward() frees intermediate activations as soon as possible.
  last_use_.assign(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (auto k : nodes_[i].in) last_use_[k] = i;
  for (auto o : outputs_) last_use_[o] = nodes_.size();
  // Channel counts where they follow from the convolutions (for heads built on the outputs).
  for (auto& n : nodes_) {
    if (n.channels >= 0 || n.in.empty()) continue;
    if (n.op == "concat") {
      int64_t c = 0;
      for (auto k : n.in) c = (c < 0 || nodes_[k].channels < 0) ? -1 : c + nodes_[k].channels;
      n.channels = c;
    } else {
      n.channels = nodes_[n.in[0]].channels;
      if (n.in.size() == 2) n.channels = std::max(n.channels, nodes_[n.in[1]].channels);
    }
  }
}

int64_t TfjsGraphNetImpl::output_channels(size_t i) const { return nodes_.at(outputs_.at(i)).channels; }

bool TfjsGraphNetImpl::keep_output_channels(size_t i, int64_t n) {
  TORCH_CHECK(i < outputs_.size() && n >= 1, "keep_output_channels: output ", i, " / ", n, " channels out of range");
  const int64_t k = outputs_[i];
  auto& node = nodes_[k];
  const bool read_by_nodes = std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& m) {
    return std::find(m.in.begin(), m.in.end(), k) != m.in.end();
  });
  if (node.op != "conv" || read_by_nodes || std::count(outputs_.begin(), outputs_.end(), k) != 1) return false;
  node.keep = std::min(n, node.channels);
  return true;
}

std::vector<torch::Tensor> TfjsGraphNetImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == 3, "graph network: expected images [N,3,H,W], got ", x.sizes());
  // Without autograd, an element-wise op writes into an input that nothing else
  // holds (its last use, no other handle or view): a frame at 576×432 then moves
  // far less memory. With autograd every op makes a new tensor, as usual.
  const bool in_place = !at::GradMode::is_enabled();
  std::vector<torch::Tensor> v(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    auto& n = nodes_[i];
    auto in = [&](size_t k) -> const torch::Tensor& { return v[n.in[k]]; };
    auto owned = [&](size_t k) {
      const auto& t = v[n.in[k]];
      return in_place && last_use_[n.in[k]] == i && t.use_count() == 1 && t.storage().use_count() == 1 &&
             std::count(n.in.begin(), n.in.end(), n.in[k]) == 1;
    };
    // in(k) may take the result of the binary op in place when its shape is the result's.
    auto fits = [&](size_t k) { return owned(k) && in(k).sizes() == at::infer_size(in(0).sizes(), in(1).sizes()); };
    const std::string& op = n.op;
    if (op == "input") {
      v[i] = x;
    } else if (op == "const") {
      v[i] = n.value;
    } else if (op == "conv") {
      auto w = n.conv->weight;
      auto b = n.conv->bias;
      if (n.keep > 0) {
        w = w.narrow(0, 0, n.keep);
        if (b.defined()) b = b.narrow(0, 0, n.keep);
      }
      // rv::conv2d underneath takes at::conv2d (and its derivative) when autograd is on.
      auto y = tf_conv2d(in(0), w, b, n.stride, n.dilation, n.conv->groups, n.same);
      if (n.act == "relu") y = in_place ? y.relu_() : torch::relu(y);
      else if (n.act == "relu6") y = in_place ? y.clamp_(0.0, 6.0) : torch::clamp(y, 0.0, 6.0);
      v[i] = y;
    } else if (op == "bias_add") {
      const auto b = n.value.view({1, -1, 1, 1});
      v[i] = owned(0) ? v[n.in[0]].add_(b) : in(0) + b;
    } else if (op == "identity") {
      v[i] = in(0);
    } else if (op == "relu") {
      v[i] = owned(0) ? v[n.in[0]].relu_() : torch::relu(in(0));
    } else if (op == "relu6") {
      v[i] = owned(0) ? v[n.in[0]].clamp_(0.0, 6.0) : torch::clamp(in(0), 0.0, 6.0);
    } else if (op == "sigmoid") {
      v[i] = owned(0) ? v[n.in[0]].sigmoid_() : torch::sigmoid(in(0));
    } else if (op == "add" || op == "mul") {
      const bool add = op == "add";
      const int k = fits(0) ? 0 : fits(1) ? 1 : -1;  // the input that can take the result
      if (k >= 0) {
        v[i] = add ? v[n.in[k]].add_(in(1 - k)) : v[n.in[k]].mul_(in(1 - k));
      } else {
        v[i] = add ? in(0) + in(1) : in(0) * in(1);
      }
    } else if (op == "sub") {
      v[i] = fits(0) ? v[n.in[0]].sub_(in(1)) : in(0) - in(1);
    } else if (op == "mean") {
      v[i] = in(0).mean({2, 3}, n.keep_dims);
    } else if (op == "concat") {
      std::vector<torch::Tensor> parts;
      for (size_t k = 0; k < n.in.size(); ++k) parts.push_back(in(k));
      v[i] = torch::cat(parts, 1);
    } else if (op == "resize") {
      v[i] = tf_resize_bilinear(in(0), in(0).size(2) * n.factor, in(0).size(3) * n.factor, n.align_corners, n.half_pixel);
    } else if (op == "pool") {
      auto y = in(0);
      const int64_t k = n.k, s = n.stride;
      if (n.same) {
        const auto ph = tf_same_padding(y.size(2), k, s, 1), pw = tf_same_padding(y.size(3), k, s, 1);
        const auto pad = F::PadFuncOptions({pw.first, pw.second, ph.first, ph.second});
        if (n.max_pool) {
          v[i] = torch::max_pool2d(F::pad(y, F::PadFuncOptions(pad).value(-1e30)), {k, k}, {s, s});
        } else {
          // TF's SAME average ignores the padded cells: divide by the count of real ones.
          auto ones = torch::ones({1, 1, y.size(2), y.size(3)}, y.options());
          v[i] = torch::avg_pool2d(F::pad(y, pad), {k, k}, {s, s}) / torch::avg_pool2d(F::pad(ones, pad), {k, k}, {s, s});
        }
      } else {
        v[i] = n.max_pool ? torch::max_pool2d(y, {k, k}, {s, s}) : torch::avg_pool2d(y, {k, k}, {s, s});
      }
    }
    for (auto k : n.in)
      if (last_use_[k] == i) v[k] = torch::Tensor();
  }
  std::vector<torch::Tensor> out;
  for (auto o : outputs_) out.push_back(v[o]);
  return out;
}

int TfjsGraphNetImpl::load_weights(const TfjsGraph& g) {
  torch::NoGradGuard no_grad;
  int copied = 0;
  const auto& topo = topology_.at("nodes");
  for (size_t i = 0; i < nodes_.size(); ++i) {
    auto& n = nodes_[i];
    if (n.op != "conv" && n.op != "bias_add") continue;
    const TfjsNode* src = g.find(n.name);
    if (!src) throw_input_error(g.path, "has no node '" + n.name + "' (the network was built from another graph)");
    if (n.op == "bias_add") {
      const auto it = src->inputs.size() > 1 ? g.weights.find(src->inputs[1]) : g.weights.end();
      if (it == g.weights.end() || it->second.numel() != n.value.numel())
        throw_input_error(g.path, "node '" + n.name + "': bias does not fit the network");
      n.value.copy_(it->second.reshape({-1}));
      ++copied;
      continue;
    }
    const auto l = tfjs_conv_layer(g, n.name);
    const auto& want = topo[i].at("shape");
    if (l.weight.sizes() != n.conv->weight.sizes() || l.bias.defined() != n.conv->bias.defined() ||
        l.stride != n.stride || l.depthwise != n.depthwise)
      throw_input_error(g.path, "node '" + n.name + "': kernel " + c10::str(l.weight.sizes()) + " stride " +
                                    std::to_string(l.stride) + " does not fit the network's " + want.dump());
    n.conv->weight.copy_(l.weight);
    if (l.bias.defined()) n.conv->bias.copy_(l.bias);
    ++copied;
  }
  return copied;
}

}  // namespace rv
