#include "model/tfjs_graph.h"

#include "model/tfjs_module.h"

#include "model/conv.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/json_file.h"

namespace rv {

namespace {


std::string base64_decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t val = 0;  // only the low 14 bits matter; unsigned, so old bits shift out
  int bits = -8;
  for (char c : in) {
    if (c == '=') break;
    const auto pos = chars.find(c);
    if (pos == std::string::npos) continue;
    val = (val << 6) + static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string strip_input(std::string s) {
  if (!s.empty() && s[0] == '^') s.erase(0, 1);
  const auto colon = s.find(':');
  if (colon != std::string::npos) s.erase(colon);
  return s;
}

// Attribute helpers: tfjs keeps ints as strings and strings base64-encoded.
std::string attr_string(const TfjsNode& n, const std::string& key, const std::string& fallback = "") {
  if (!n.attr.contains(key) || !n.attr[key].contains("s")) return fallback;
  return base64_decode(n.attr[key]["s"].get<std::string>());
}

std::vector<int64_t> attr_ints(const TfjsGraph& g, const TfjsNode& n, const std::string& key) {
  std::vector<int64_t> v;
  if (!n.attr.contains(key)) return v;
  const auto& a = n.attr[key];
  if (!a.contains("list") || !a["list"].contains("i")) return v;
  for (const auto& x : a["list"]["i"]) {
    // TF.js writes ints as strings; anything else (found by fuzz/fuzz_tfjs) is a bad file, not a crash.
    int64_t value = 0;
    if (x.is_number_integer()) {
      value = x.get<int64_t>();
    } else {
      const std::string text = x.is_string() ? x.get<std::string>() : x.dump();
      size_t used = 0;
      try {
        value = std::stoll(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size())
        throw_input_error(g.path, "node '" + n.name + "': attribute " + key + " holds '" + text + "', not an integer");
    }
    v.push_back(value);
  }
  return v;
}

std::vector<std::string> attr_strings(const TfjsNode& n, const std::string& key) {
  std::vector<std::string> v;
  if (!n.attr.contains(key)) return v;
  const auto& a = n.attr[key];
  if (!a.contains("list") || !a["list"].contains("s")) return v;
  for (const auto& x : a["list"]["s"]) v.push_back(base64_decode(x.get<std::string>()));
  return v;
}

[[noreturn]] void node_error(const TfjsGraph& g, const TfjsNode& n, const std::string& reason) {
  throw_input_error(g.path, "node '" + n.name + "' (" + n.op + "): " + reason);
}

// NHWC strides/dilations lists → the spatial value (equal in H and W).
int64_t spatial(const TfjsGraph& g, const TfjsNode& n, const std::string& key) {
  const auto v = attr_ints(g, n, key);
  if (v.empty()) return 1;
  if (v.size() != 4 || v[0] != 1 || v[3] != 1 || v[1] != v[2])
    node_error(g, n, key + " other than [1, s, s, 1] is not supported");
  return v[1];
}

bool same_padding_of(const TfjsGraph& g, const TfjsNode& n) {
  const std::string p = attr_string(n, "padding", "VALID");
  if (p == "SAME") return true;
  if (p == "VALID") return false;
  node_error(g, n, "padding '" + p + "' is not supported (SAME or VALID)");
}

void check_nhwc(const TfjsGraph& g, const TfjsNode& n) {
  const std::string f = attr_string(n, "data_format", "NHWC");
  if (f != "NHWC") node_error(g, n, "data_format '" + f + "' is not supported (NHWC)");
}

bool is_conv_op(const std::string& op) {
  return op == "Conv2D" || op == "DepthwiseConv2dNative" || op == "_FusedConv2D" ||
         op == "FusedDepthwiseConv2dNative";
}

const torch::Tensor& weight_of(const TfjsGraph& g, const TfjsNode& n, size_t input) {
  if (input >= n.inputs.size()) node_error(g, n, "missing input " + std::to_string(input));
  const auto it = g.weights.find(n.inputs[input]);
  if (it == g.weights.end()) node_error(g, n, "input '" + n.inputs[input] + "' is not a weight in the manifest");
  return it->second;
}

TfConvLayer conv_layer(const TfjsGraph& g, const TfjsNode& n) {
  check_nhwc(g, n);
  TfConvLayer l;
  l.name = n.name;
  l.depthwise = n.op == "DepthwiseConv2dNative" || n.op == "FusedDepthwiseConv2dNative";
  l.stride = spatial(g, n, "strides");
  l.dilation = spatial(g, n, "dilations");
  l.same_padding = same_padding_of(g, n);
  const auto& k = weight_of(g, n, 1);
  if (k.dim() != 4 || k.size(0) != k.size(1)) node_error(g, n, "kernel of shape " + c10::str(k.sizes()) + " (need square HWIO)");
  l.kernel = k.size(0);
  if (l.depthwise) {
    // [kh, kw, in, multiplier] → [in * multiplier, 1, kh, kw] (output channel c*m + j).
    l.in_channels = k.size(2);
    l.out_channels = k.size(2) * k.size(3);
    l.weight = k.permute({2, 3, 0, 1}).reshape({l.out_channels, 1, l.kernel, l.kernel}).contiguous();
  } else {
    // [kh, kw, in, out] → [out, in, kh, kw].
    l.in_channels = k.size(2);
    l.out_channels = k.size(3);
    l.weight = k.permute({3, 2, 0, 1}).contiguous();
  }
  const bool fused = n.op == "_FusedConv2D" || n.op == "FusedDepthwiseConv2dNative";
  if (fused) {
    for (const auto& f : attr_strings(n, "fused_ops")) {
      if (f == "BiasAdd") {
        l.bias = weight_of(g, n, 2).reshape({-1}).contiguous();
        if (l.bias.size(0) != l.out_channels) node_error(g, n, "bias of " + std::to_string(l.bias.size(0)) + " values for " + std::to_string(l.out_channels) + " channels");
      } else if (f == "Relu") {
        l.activation = "relu";
      } else if (f == "Relu6") {
        l.activation = "relu6";
      } else {
        node_error(g, n, "fused op '" + f + "' is not supported (BiasAdd, Relu, Relu6)");
      }
    }
  }
  return l;
}

}  // namespace

const TfjsNode* TfjsGraph::find(const std::string& name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

const TfjsNode& TfjsGraph::node(const std::string& name) const {
  const auto* n = find(name);
  if (!n) throw_input_error(path, "no node named '" + name + "'");
  return *n;
}

std::vector<std::string> TfjsGraph::inputs() const {
  std::vector<std::string> v;
  for (const auto& n : nodes)
    if (n.op == "Placeholder") v.push_back(n.name);
  return v;
}

namespace {

// The parsed model.json: an object with modelTopology and weightsManifest.
nlohmann::json read_model_json(const std::string& model_json) {
  namespace fs = std::filesystem;
  std::ifstream in(model_json);
  if (!fs::exists(model_json)) throw_input_error(model_json, "no such file");
  if (!in) throw_input_error(model_json, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json j = parse_json_text(text.str(), model_json);
  if (!j.is_object() || !j.contains("modelTopology") || !j.contains("weightsManifest"))
    throw_input_error(model_json, "not a TF.js graph model (needs modelTopology and weightsManifest)");
  return j;
}

// The nodes of modelTopology, control dependencies left out, in file order.
void read_nodes(const nlohmann::json& topo, TfjsGraph& g) {
  const std::string& model_json = g.path;
  if (!topo.is_object() || !topo.contains("node") || !topo["node"].is_array())
    throw_input_error(model_json, "modelTopology has no node list (a Keras layers model is not a graph model)");
  try {
    for (const auto& jn : topo["node"]) {
      TfjsNode n;
      n.name = jn.at("name").get<std::string>();
      n.op = jn.at("op").get<std::string>();
      if (jn.contains("input"))
        for (const auto& s : jn["input"]) {
          const auto raw = s.get<std::string>();
          if (!raw.empty() && raw[0] == '^') continue;  // control dependency
          n.inputs.push_back(strip_input(raw));
        }
      if (jn.contains("attr")) n.attr = jn["attr"];
      g.nodes.push_back(std::move(n));
    }
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(model_json, std::string("malformed node list (") + e.what() + ")");
  }
}

// The bytes of a manifest group's shards, concatenated in order (files next to model.json).
std::string read_group_shards(const nlohmann::json& group, const std::filesystem::path& dir,
                              const std::string& model_json) {
  std::string buffer;
  std::vector<std::string> shard_names;
  try {
    for (const auto& p : group.at("paths")) shard_names.push_back(p.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(model_json, std::string("weightsManifest entry without paths (") + e.what() + ")");
  }
  for (const auto& name : shard_names) {
    const std::filesystem::path shard = dir / name;
    std::ifstream s(shard, std::ios::binary);
    if (!s) throw_input_error(shard.string(), "weight shard named in " + model_json + " is missing or unreadable");
    std::ostringstream ss;
    ss << s.rdbuf();
    buffer += ss.str();
  }
  return buffer;
}

// One weight entry of the manifest: its dtype, how it is stored (a
// quantisation dtype, or the dtype itself) and the dequantisation min/scale.
struct WeightEntry {
  std::string name, dtype, stored;
  std::vector<int64_t> shape;
  int64_t count = 1;
  double qmin = 0, qscale = 1;
  size_t elem = 0;  // bytes per stored value
};

WeightEntry read_weight_entry(const nlohmann::json& w, const std::string& model_json) {
  WeightEntry e;
  try {
    e.name = w.at("name").get<std::string>();
    e.dtype = w.at("dtype").get<std::string>();
    e.shape = w.at("shape").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& ex) {
    throw_input_error(model_json, std::string("malformed weight entry (") + ex.what() + ")");
  }
  const std::string& name = e.name;
  for (auto d : e.shape) {
    if (d < 0) throw_input_error(model_json, "weight '" + name + "' has a negative dimension");
    e.count *= d;
  }
  e.stored = e.dtype;
  if (w.contains("quantization")) {
    const auto& q = w["quantization"];
    e.stored = q.value("dtype", std::string());
    if (e.stored == "uint8" || e.stored == "uint16") {
      if (!q.contains("scale") || !q.contains("min"))
        throw_input_error(model_json, "weight '" + name + "': " + e.stored + " quantisation without min/scale");
      e.qmin = q["min"].get<double>();
      e.qscale = q["scale"].get<double>();
    } else if (e.stored != "float16") {
      throw_input_error(model_json, "weight '" + name + "': quantisation dtype '" + e.stored +
                                        "' is not supported (uint8, uint16, float16)");
    }
  }
  if (e.stored == "float32" || e.stored == "int32") e.elem = 4;
  else if (e.stored == "uint16" || e.stored == "float16") e.elem = 2;
  else if (e.stored == "uint8" || e.stored == "bool") e.elem = 1;
  else throw_input_error(model_json, "weight '" + name + "': dtype '" + e.stored + "' is not supported");
  return e;
}

// The entry's values from `bytes` bytes at p, dequantised, in the entry's shape.
torch::Tensor decode_weight(const WeightEntry& e, const char* p, size_t bytes) {
  const int64_t count = e.count;
  const std::string& stored = e.stored;
  torch::Tensor t;
  if (stored == "float32") {
    t = torch::empty({count}, torch::kFloat);
    std::memcpy(t.data_ptr<float>(), p, bytes);
  } else if (stored == "int32") {
    t = torch::empty({count}, torch::kInt);
    std::memcpy(t.data_ptr<int32_t>(), p, bytes);
  } else if (stored == "float16") {
    t = torch::empty({count}, torch::kHalf);
    std::memcpy(t.data_ptr(), p, bytes);
    t = t.to(torch::kFloat);
  } else if (stored == "uint8" || stored == "bool") {
    t = torch::empty({count}, torch::kByte);
    std::memcpy(t.data_ptr<uint8_t>(), p, bytes);
    t = stored == "bool" ? t.to(torch::kBool) : (t.to(torch::kDouble) * e.qscale + e.qmin).to(torch::kFloat);
  } else {  // uint16
    std::vector<uint16_t> v(count);
    std::memcpy(v.data(), p, bytes);
    t = torch::empty({count}, torch::kDouble);
    auto* d = t.data_ptr<double>();
    for (int64_t i = 0; i < count; ++i) d[i] = v[i] * e.qscale + e.qmin;
    t = t.to(torch::kFloat);
  }
  if (e.dtype == "int32" && t.scalar_type() != torch::kInt) t = t.round().to(torch::kInt);
  return t.reshape(e.shape);
}

// The weights of one manifest group into g.weights; its shards must hold exactly their bytes.
void read_weight_group(const nlohmann::json& group, const std::filesystem::path& dir, TfjsGraph& g) {
  const std::string& model_json = g.path;
  const std::string buffer = read_group_shards(group, dir, model_json);
  size_t offset = 0;
  const auto& entries = group.contains("weights") ? group["weights"] : nlohmann::json::array();
  for (const auto& w : entries) {
    const WeightEntry e = read_weight_entry(w, model_json);
    const size_t bytes = e.elem * static_cast<size_t>(e.count);
    if (offset + bytes > buffer.size())
      throw_input_error(model_json, "weight '" + e.name + "' needs bytes " + std::to_string(offset) + ".." +
                                        std::to_string(offset + bytes) + " but the shards of its group hold " +
                                        std::to_string(buffer.size()) + " (truncated or wrong shard)");
    g.weights[e.name] = decode_weight(e, buffer.data() + offset, bytes);
    offset += bytes;
  }
  if (offset != buffer.size())
    throw_input_error(model_json, "weight shards hold " + std::to_string(buffer.size()) +
                                      " bytes but the manifest describes " + std::to_string(offset) +
                                      " (shards do not match this model.json)");
}

}  // namespace

TfjsGraph load_tfjs_graph(const std::string& model_json) {
  namespace fs = std::filesystem;
  TfjsGraph g;
  g.path = model_json;
  const nlohmann::json j = read_model_json(model_json);
  read_nodes(j["modelTopology"], g);
  const fs::path dir = fs::path(model_json).parent_path();
  const auto& manifest = j["weightsManifest"];
  if (!manifest.is_array()) throw_input_error(model_json, "weightsManifest is not a list");
  for (const auto& group : manifest) read_weight_group(group, dir, g);
  return g;
}

std::pair<int64_t, int64_t> tf_same_padding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + effective - in, 0);
  return {total / 2, total - total / 2};
}

torch::Tensor tf_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                        int64_t stride, int64_t dilation, int64_t groups, bool same_padding) {
  const int64_t k = weight.size(2);
  std::array<int64_t, 4> pad{0, 0, 0, 0};  // top, bottom, left, right
  if (same_padding && k > 1) {
    const auto ph = tf_same_padding(x.size(2), k, stride, dilation);
    const auto pw = tf_same_padding(x.size(3), k, stride, dilation);
    pad = {ph.first, ph.second, pw.first, pw.second};
  }
  return rv::conv2d(x, weight, bias, stride, pad, dilation, groups);
}

TfConvLayer tfjs_conv_layer(const TfjsGraph& g, const std::string& node_name) {
  const TfjsNode& n = g.node(node_name);
  if (!is_conv_op(n.op)) node_error(g, n, "not a convolution");
  return conv_layer(g, n);
}

std::vector<TfConvLayer> tfjs_conv_chain(const TfjsGraph& g, const std::string& output_node) {
  std::vector<TfConvLayer> chain;
  std::set<std::string> seen;
  const TfjsNode* n = &g.node(output_node);
  while (n->op != "Placeholder") {
    if (!seen.insert(n->name).second) node_error(g, *n, "the graph has a cycle");
    if (is_conv_op(n->op)) {
      chain.push_back(conv_layer(g, *n));
    } else if (n->op != "Identity") {
      node_error(g, *n, "op not supported in a convolution chain (Conv2D, DepthwiseConv2dNative and their fused forms)");
    }
    if (n->inputs.empty()) node_error(g, *n, "has no input");
    n = &g.node(n->inputs[0]);
  }
  std::reverse(chain.begin(), chain.end());
  for (size_t i = 1; i < chain.size(); ++i) {
    if (chain[i].in_channels != chain[i - 1].out_channels)
      throw_input_error(g.path, "node '" + chain[i].name + "' takes " + std::to_string(chain[i].in_channels) +
                                    " channels but '" + chain[i - 1].name + "' gives " +
                                    std::to_string(chain[i - 1].out_channels));
  }
  return chain;
}

std::string tfjs_find_chain_end(const TfjsGraph& g, size_t length) {
  // Chain lengths by memoised walk along first inputs; -1 = not a pure conv chain.
  std::map<std::string, long> memo;
  std::function<long(const TfjsNode&, int)> depth = [&](const TfjsNode& n, int guard) -> long {
    if (guard > 100000) return -1;
    if (n.op == "Placeholder") return 0;
    const auto it = memo.find(n.name);
    if (it != memo.end()) return it->second;
    long d = -1;
    if ((is_conv_op(n.op) || n.op == "Identity") && !n.inputs.empty()) {
      const auto* in = g.find(n.inputs[0]);
      if (in) {
        const long below = depth(*in, guard + 1);
        if (below >= 0) d = below + (is_conv_op(n.op) ? 1 : 0);
      }
    }
    memo[n.name] = d;
    return d;
  };
  for (const auto& n : g.nodes)
    if (is_conv_op(n.op) && depth(n, 0) == static_cast<long>(length)) return n.name;
  return "";
}

std::map<std::string, torch::Tensor> run_tfjs_graph(const TfjsGraph& g, const torch::Tensor& input_nhwc,
                                                    const std::vector<std::string>& outputs) {
  TORCH_CHECK(input_nhwc.dim() == 4, "run_tfjs_graph: input must be NHWC, got ", input_nhwc.sizes());
  TfjsGraphNet net(tfjs_subgraph(g, outputs), g.path);
  net->load_weights(g);
  torch::NoGradGuard no_grad;
  const auto values = net->forward(input_nhwc.to(torch::kFloat).permute({0, 3, 1, 2}).contiguous());
  std::map<std::string, torch::Tensor> result;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& t = values[i];
    result[outputs[i]] = t.dim() == 4 ? t.permute({0, 2, 3, 1}).contiguous() : t;
  }
  return result;
}

namespace {

// Spatial size [H, W] of every node at the graph's declared input size, so a
// resize to a constant size can be read as a factor. -1 where unknown.
using Size2 = std::array<int64_t, 2>;

int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t d, bool same) {
  if (in < 0) return -1;
  if (same) return (in + s - 1) / s;
  return (in - (k - 1) * d - 1) / s + 1;
}

nlohmann::json const_node(const TfjsGraph& g, const TfjsNode& user, const std::string& name) {
  const auto it = g.weights.find(name);
  if (it == g.weights.end()) node_error(g, user, "input '" + name + "' is neither a node nor a weight");
  const auto t = it->second.to(torch::kFloat).contiguous();
  if (t.numel() > 4096)
    node_error(g, user, "constant input '" + name + "' of " + std::to_string(t.numel()) +
                            " values (only small constants are supported outside convolutions)");
  std::vector<float> v(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  return {{"name", name}, {"op", "const"}, {"in", nlohmann::json::array()}, {"shape", t.sizes().vec()}, {"value", v}};
}

}  // namespace

namespace {

// Builds tfjs_subgraph's topology: nodes in input-first order, each with its
// spatial size at the declared input (to read constant resize sizes as factors).
class SubgraphBuilder {
 public:
  explicit SubgraphBuilder(const TfjsGraph& g) : g_(g) {}

  int64_t visit(const std::string& name, int depth) {
    const auto found = index_.find(name);
    if (found != index_.end()) return found->second;
    if (depth > 10000) throw_input_error(g_.path, "graph too deep at node '" + name + "' (a cycle?)");
    const TfjsNode* np = g_.find(name);
    if (!np) throw_input_error(g_.path, "no node named '" + name + "'");
    const TfjsNode& n = *np;
    nlohmann::json j = {{"name", n.name}};
    std::vector<int64_t> in;
    Size2 sz{-1, -1};
    if (n.op == "Placeholder") {
      placeholder(n, j);
      sz = declared_;
    } else if (is_conv_op(n.op) || n.op == "BiasAdd" || n.op == "AvgPool" || n.op == "MaxPool") {
      sz = spatial_op(n, j, in, depth);
    } else {
      sz = other_op(n, j, in, depth);
    }
    j["in"] = in;
    return add(n.name, j, sz);
  }

  nlohmann::json result(const std::vector<int64_t>& outputs) const {
    if (input_.empty()) throw_input_error(g_.path, "the outputs do not depend on the graph's input");
    return {{"input", input_}, {"outputs", outputs}, {"nodes", nodes_}};
  }

 private:
  int64_t add(const std::string& name, const nlohmann::json& j, Size2 sz) {
    nodes_.push_back(j);
    size_.push_back(sz);
    return index_[name] = static_cast<int64_t>(nodes_.size()) - 1;
  }

  // Input i of n: a node (visited first) or a constant (inlined once).
  int64_t arg(const TfjsNode& n, size_t i, int depth) {
    if (i >= n.inputs.size()) node_error(g_, n, "missing input " + std::to_string(i));
    const std::string& src = n.inputs[i];
    const TfjsNode* s = g_.find(src);
    if (s && s->op != "Const") return visit(src, depth + 1);
    const auto k = index_.find(src);
    if (k != index_.end()) return k->second;
    return add(src, const_node(g_, n, src), {1, 1});
  }

  std::vector<int64_t> const_ints(const TfjsNode& n, size_t i) const {
    if (i >= n.inputs.size()) node_error(g_, n, "missing input " + std::to_string(i));
    const auto it = g_.weights.find(n.inputs[i]);
    if (it == g_.weights.end()) node_error(g_, n, "input " + std::to_string(i) + " must be a constant");
    const auto t = it->second.to(torch::kLong).reshape({-1}).contiguous();
    return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
  }

  void placeholder(const TfjsNode& n, nlohmann::json& j) {
    if (!input_.empty() && input_ != n.name) node_error(g_, n, "a second input (only one is supported)");
    input_ = n.name;
    j["op"] = "input";
    if (!n.attr.contains("shape") || !n.attr["shape"].contains("shape") || !n.attr["shape"]["shape"].contains("dim")) return;
    const auto& dims = n.attr["shape"]["shape"]["dim"];
    if (dims.size() != 4) return;
    auto dim = [&](size_t k) {
      try {
        return std::stoll(dims[k].value("size", std::string("-1")));
      } catch (const std::exception&) {
        node_error(g_, n, "input shape is not a list of integers");
      }
    };
    if (dim(3) != 3) node_error(g_, n, "input is not NHWC with 3 channels");
    declared_ = {dim(1), dim(2)};
  }

  // Convolutions, BiasAdd and pools: ops with weights or a window.
  Size2 spatial_op(const TfjsNode& n, nlohmann::json& j, std::vector<int64_t>& in, int depth) {
    check_nhwc(g_, n);
    in.push_back(arg(n, 0, depth));
    const Size2 s0 = size_[in[0]];
    if (n.op == "BiasAdd") {
      j["op"] = "bias_add";
      j["shape"] = weight_of(g_, n, 1).sizes().vec();
      return s0;
    }
    int64_t k = 1, stride = 1, dilation = 1;
    bool same = true;
    if (is_conv_op(n.op)) {
      const auto l = conv_layer(g_, n);
      j.update({{"op", "conv"}, {"shape", weight_of(g_, n, 1).sizes().vec()}, {"depthwise", l.depthwise},
                {"stride", l.stride}, {"dilation", l.dilation}, {"same", l.same_padding},
                {"bias", l.bias.defined()}, {"act", l.activation}});
      k = l.kernel, stride = l.stride, dilation = l.dilation, same = l.same_padding;
    } else {
      const auto ks = attr_ints(g_, n, "ksize");
      if (ks.size() != 4 || ks[1] != ks[2]) node_error(g_, n, "ksize other than [1, k, k, 1] is not supported");
      k = ks[1], stride = spatial(g_, n, "strides"), same = same_padding_of(g_, n);
      j.update({{"op", "pool"}, {"kind", n.op == "MaxPool" ? "max" : "avg"}, {"k", k}, {"stride", stride}, {"same", same}});
    }
    return {conv_out(s0[0], k, stride, dilation, same), conv_out(s0[1], k, stride, dilation, same)};
  }

  // Element-wise ops, activations, means, concatenations and resizes.
  Size2 other_op(const TfjsNode& n, nlohmann::json& j, std::vector<int64_t>& in, int depth) {
    const std::string& op = n.op;
    if (op == "Identity" || op == "Relu" || op == "Relu6" || op == "Sigmoid") {
      in.push_back(arg(n, 0, depth));
      j["op"] = op == "Identity" ? "identity" : op == "Relu" ? "relu" : op == "Relu6" ? "relu6" : "sigmoid";
      return size_[in[0]];
    }
    if (op == "Add" || op == "AddV2" || op == "Sub" || op == "Mul") {
      in.push_back(arg(n, 0, depth));
      in.push_back(arg(n, 1, depth));
      j["op"] = op == "Sub" ? "sub" : op == "Mul" ? "mul" : "add";
      const Size2 a = size_[in[0]], b = size_[in[1]];
      return {std::max(a[0], b[0]), std::max(a[1], b[1])};
    }
    if (op == "Mean") {
      in.push_back(arg(n, 0, depth));
      auto axes = const_ints(n, 1);
      std::sort(axes.begin(), axes.end());
      if (axes != std::vector<int64_t>{1, 2}) node_error(g_, n, "a mean over axes other than [1, 2] (H and W) is not supported");
      if (!(n.attr.contains("keep_dims") && n.attr["keep_dims"].value("b", false)))
        node_error(g_, n, "a mean without keep_dims is not supported");
      j.update({{"op", "mean"}, {"keep_dims", true}});
      return {1, 1};
    }
    if (op == "ConcatV2") {
      if (n.inputs.size() < 3) node_error(g_, n, "needs at least two tensors and an axis");
      const auto axis = const_ints(n, n.inputs.size() - 1);
      if (axis.size() != 1 || (axis[0] != 3 && axis[0] != -1)) node_error(g_, n, "a concat along an axis other than channels is not supported");
      for (size_t i = 0; i + 1 < n.inputs.size(); ++i) in.push_back(arg(n, i, depth));
      j["op"] = "concat";
      return size_[in[0]];
    }
    if (op == "ResizeBilinear") return resize(n, j, in, depth);
    if (op == "Const") node_error(g_, n, "constant has no value in the weights manifest");
    node_error(g_, n, "op not supported");
  }

  Size2 resize(const TfjsNode& n, nlohmann::json& j, std::vector<int64_t>& in, int depth) {
    in.push_back(arg(n, 0, depth));
    const auto target = const_ints(n, 1);
    const Size2 s0 = size_[in[0]];
    if (target.size() != 2 || s0[0] <= 0 || s0[1] <= 0)
      node_error(g_, n, "resize to a size that is not a constant pair, or at an input size the graph does not declare");
    if (target[0] % s0[0] != 0 || target[1] % s0[1] != 0 || target[0] / s0[0] != target[1] / s0[1])
      node_error(g_, n, "resize from " + std::to_string(s0[0]) + "x" + std::to_string(s0[1]) + " to " +
                            std::to_string(target[0]) + "x" + std::to_string(target[1]) + " is not a whole-number factor");
    auto flag = [&](const char* key) { return n.attr.contains(key) && n.attr[key].value("b", false); };
    j.update({{"op", "resize"}, {"factor", target[0] / s0[0]}, {"align_corners", flag("align_corners")},
              {"half_pixel_centers", flag("half_pixel_centers")}});
    return {target[0], target[1]};
  }

  const TfjsGraph& g_;
  nlohmann::json nodes_ = nlohmann::json::array();
  std::map<std::string, int64_t> index_;
  std::vector<Size2> size_;
  std::string input_;
  Size2 declared_{-1, -1};
};

}  // namespace

nlohmann::json tfjs_subgraph(const TfjsGraph& g, const std::vector<std::string>& outputs) {
  SubgraphBuilder b(g);
  std::vector<int64_t> out;
  for (const auto& o : outputs) out.push_back(b.visit(o, 0));
  return b.result(out);
}

}  // namespace rv
