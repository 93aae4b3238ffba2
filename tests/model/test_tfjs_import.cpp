// The TF.js graph-model reader against outputs of the original graph run by
// TF.js itself (tests/data/posenet-reference, made by
// scripts/pretrained/tfjs-reference/make-reference.mjs), and its errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundle/bundle.h"
#include "common/error.h"
#include "model/conv.h"
#include "model/graph_nets.h"
#include "model/mobilenet.h"
#include "model/tfjs_graph.h"
#include "model/tfjs_module.h"

namespace fs = std::filesystem;

namespace {

fs::path source_root() {
  const char* r = std::getenv("RANKVISION_SOURCE_ROOT");
  return r ? fs::path(r) : fs::path(".");
}
fs::path model_json() { return source_root() / "models" / "pretrained" / "posenet" / "posenet.json"; }
fs::path reference_dir() { return source_root() / "tests" / "data" / "posenet-reference"; }

torch::Tensor read_f32(const fs::path& path, const std::vector<int64_t>& shape) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  int64_t n = 1;
  for (auto d : shape) n *= d;
  EXPECT_EQ(static_cast<int64_t>(bytes.size()), n * 4) << path;
  auto t = torch::empty(shape, torch::kFloat);
  std::memcpy(t.data_ptr<float>(), bytes.data(), std::min<size_t>(bytes.size(), n * 4));
  return t;
}

struct Case {
  std::string name;
  torch::Tensor input;                           // NHWC
  std::map<std::string, torch::Tensor> outputs;  // node → NHWC
};

std::vector<Case> reference_cases() {
  std::ifstream in(reference_dir() / "manifest.json");
  EXPECT_TRUE(in);
  const auto j = nlohmann::json::parse(in);
  std::vector<Case> cases;
  for (const auto& c : j["cases"]) {
    Case k;
    k.name = c["name"];
    k.input = read_f32(reference_dir() / c["input"]["file"].get<std::string>(),
                       c["input"]["shape"].get<std::vector<int64_t>>());
    for (const auto& o : c["outputs"])
      k.outputs[o["node"].get<std::string>()] =
          read_f32(reference_dir() / o["file"].get<std::string>(), o["shape"].get<std::vector<int64_t>>());
    cases.push_back(std::move(k));
  }
  return cases;
}

const rv::TfjsGraph& posenet() {
  static const rv::TfjsGraph g = rv::load_tfjs_graph(model_json().string());
  return g;
}

double max_abs(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

fs::path temp_dir(const std::string& name) {
  const auto d = fs::temp_directory_path() / ("rv-tfjs-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void expect_input_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const rv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(TfSamePadding, MatchesTensorFlow) {
  // 3×3 stride 2: odd input pads 1/1, even input pads 0/1 (more at the end).
  EXPECT_EQ(rv::tf_same_padding(65, 3, 2, 1), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(rv::tf_same_padding(96, 3, 2, 1), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(rv::tf_same_padding(96, 3, 1, 1), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(rv::tf_same_padding(10, 1, 2, 1), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(rv::tf_same_padding(10, 3, 1, 2), (std::pair<int64_t, int64_t>{2, 2}));
}

TEST(TfjsGraph, ReadsPoseNet) {
  const auto& g = posenet();
  EXPECT_EQ(g.inputs(), std::vector<std::string>{"image"});
  EXPECT_EQ(g.weights.size(), 62u);
  EXPECT_EQ(g.weights.at("Const_55").sizes(), (std::vector<int64_t>{3, 3, 3, 24}));
  const std::string end = rv::tfjs_find_chain_end(g, 27);
  EXPECT_EQ(end, "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6");
  const auto chain = rv::tfjs_conv_chain(g, end);
  ASSERT_EQ(chain.size(), 27u);
  EXPECT_EQ(chain[0].stride, 2);
  EXPECT_TRUE(chain[1].depthwise);
  EXPECT_EQ(chain[26].out_channels, 384);
  EXPECT_EQ(chain[26].activation, "relu6");
}

// The graph, run by our reader, reproduces TF.js's outputs at an odd and an
// even input size (where SAME padding is asymmetric).
TEST(TfjsGraph, ReproducesTfjsReference) {
  const auto cases = reference_cases();
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    std::vector<std::string> names;
    for (const auto& o : c.outputs) names.push_back(o.first);
    const auto got = rv::run_tfjs_graph(posenet(), c.input, names);
    for (const auto& o : c.outputs) {
      ASSERT_EQ(got.at(o.first).sizes(), o.second.sizes()) << c.name << " " << o.first;
      const double err = max_abs(got.at(o.first), o.second);
      EXPECT_LE(err, 1e-4) << c.name << " " << o.first;
      std::cout << c.name << " " << o.first << " max abs error " << err << "\n";
    }
  }
}

// The trainable trunk, with the imported weights, gives the same features.
TEST(MobileNetTrunk, ImportedTrunkReproducesReference) {
  rv::MobileNetTrunk trunk(0.75);
  EXPECT_EQ(rv::import_tfjs_mobilenet(trunk, posenet()), 27);
  trunk->eval();
  torch::NoGradGuard no_grad;
  for (const auto& c : reference_cases()) {
    const auto x = c.input.permute({0, 3, 1, 2}).contiguous();
    const auto f = trunk->forward(x, {rv::MobileNetTrunkImpl::pointwise(5), 26});
    const auto conv5 = c.outputs.at("MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6");
    const auto conv13 = c.outputs.at("MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6");
    EXPECT_LE(max_abs(f[0].permute({0, 2, 3, 1}), conv5), 1e-4) << c.name;
    EXPECT_LE(max_abs(f[1].permute({0, 2, 3, 1}), conv13), 1e-4) << c.name;
  }
}

TEST(MobileNetTrunk, WrongWidthIsRefused) {
  rv::MobileNetTrunk trunk(0.5);
  expect_input_error([&] { rv::import_tfjs_mobilenet(trunk, posenet()); }, "does not fit");
}

TEST(MobileDensityNet, StrideEightOutputAndCount) {
  rv::NetSpec spec;
  spec.arch = "posenet_mnv1";
  spec.width = 0.75;
  rv::MobileDensityNet net(spec);
  EXPECT_EQ(net.output_stride(), 8);
  for (auto hw : {std::make_pair(96, 128), std::make_pair(65, 81)}) {
    const auto x = torch::rand({2, 3, hw.first, hw.second});
    const auto d = net.dense(x);
    EXPECT_EQ(d.sizes(), (std::vector<int64_t>{2, 1, (hw.first + 7) / 8, (hw.second + 7) / 8}));
    EXPECT_LE((net.scalar(x) - d.sum({1, 2, 3})).abs().max().item<double>(), 1e-5);
  }
  auto split = rv::split_trunk_parameters(net);
  EXPECT_EQ(split.trunk.size(), 54u);  // 27 convs, weight + bias
  EXPECT_EQ(split.head.size(), 10u);
  EXPECT_EQ(rv::freeze_trunk_layers(net, 3), 3);
  EXPECT_FALSE(net.trunk()->layer(2)->weight.requires_grad());
  EXPECT_TRUE(net.trunk()->layer(3)->weight.requires_grad());
}

TEST(MobileQualityNet, PooledStatisticsOfSixLayersToOneScore) {
  rv::NetSpec spec;
  spec.task = rv::Task::Quality;
  spec.arch = "posenet_mnv1";
  spec.width = 0.75;
  rv::set_arch_normalisation(spec);
  auto net = std::dynamic_pointer_cast<rv::MobileQualityNet>(rv::build_network(spec));
  ASSERT_TRUE(net);
  EXPECT_EQ(rv::import_tfjs_trunk(*net, model_json().string()), 27);
  net->eval();
  torch::NoGradGuard no_grad;
  // Blocks 1, 3, 5, 7, 11, 13 of width 0.75: 48 + 96 + 192 + 384 + 384 + 384 channels, mean and sd each.
  const auto x = torch::rand({2, 3, 96, 80});
  const auto f = net->features(x);
  EXPECT_EQ(f.sizes(), (std::vector<int64_t>{2, 2 * (48 + 96 + 192 + 384 + 384 + 384)}));
  // The first statistics are block 1's channel means over the image.
  const auto b1 = net->trunk()->forward((x - 0.5) / 0.5, {rv::MobileNetTrunkImpl::pointwise(1)})[0];
  EXPECT_LE((f.narrow(1, 0, 48) - b1.mean({2, 3})).abs().max().item<double>(), 1e-5);
  // Standard deviations are sqrt(var + 1e-6), finite in gradient where a channel is constant.
  EXPECT_LE((f.narrow(1, 48, 48) - torch::sqrt(b1.var({2, 3}, /*unbiased=*/false) + 1e-6)).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(net->scalar(x).sizes(), (std::vector<int64_t>{2}));
  EXPECT_EQ(net->dense(x).sizes(), (std::vector<int64_t>{2, 1, 1, 1}));
  // A noisy copy of an image gets other statistics (what the head can learn from).
  const auto noisy = (x + 0.2 * torch::randn_like(x)).clamp(0, 1);
  EXPECT_GT((net->features(noisy) - f).abs().max().item<double>(), 1e-2);
  // The pretrained trunk is the low-lr group; the head (two linear layers) the other.
  auto split = rv::split_trunk_parameters(*net);
  EXPECT_EQ(split.trunk.size(), 54u);
  EXPECT_EQ(split.head.size(), 4u);
  // A VGG16 network has no MobileNet trunk to import into.
  rv::NetSpec vgg;
  vgg.task = rv::Task::Quality;
  vgg.width = 0.125;
  auto q = rv::build_network(vgg);
  expect_input_error([&] { rv::import_tfjs_trunk(*q, model_json().string()); }, "posenet_mnv1 or centernet_mnv3 only");
}

TEST(TfjsGraph, Errors) {
  expect_input_error([] { rv::load_tfjs_graph("/nonexistent/model.json"); }, "no such file");
  const auto dir = temp_dir("errors");
  std::ifstream in(model_json());
  const auto j = nlohmann::json::parse(in);
  auto write = [&](const std::string& name, const nlohmann::json& jj) {
    std::ofstream(dir / name) << jj.dump();
    return (dir / name).string();
  };
  // Missing shard: the json alone.
  const auto alone = write("alone.json", j);
  expect_input_error([&] { rv::load_tfjs_graph(alone); }, "posenet.bin");
  // Truncated shard.
  {
    std::ifstream b(model_json().parent_path() / "posenet.bin", std::ios::binary);
    std::ostringstream ss;
    ss << b.rdbuf();
    const std::string bytes = ss.str();
    std::ofstream(dir / "posenet.bin", std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  }
  expect_input_error([&] { rv::load_tfjs_graph(alone); }, "truncated");
  // Size mismatch the other way: a longer shard.
  {
    std::ifstream b(model_json().parent_path() / "posenet.bin", std::ios::binary);
    std::ostringstream ss;
    ss << b.rdbuf();
    std::ofstream(dir / "posenet.bin", std::ios::binary) << ss.str() << std::string(8, '\0');
  }
  expect_input_error([&] { rv::load_tfjs_graph(alone); }, "do not match");
  {
    std::ifstream b(model_json().parent_path() / "posenet.bin", std::ios::binary);
    std::ostringstream ss;
    ss << b.rdbuf();
    std::ofstream(dir / "posenet.bin", std::ios::binary) << ss.str();
  }
  EXPECT_NO_THROW(rv::load_tfjs_graph(alone));
  // Unknown dtype.
  auto bad_dtype = j;
  bad_dtype["weightsManifest"][0]["weights"][0]["dtype"] = "complex64";
  const auto dt = write("dtype.json", bad_dtype);
  expect_input_error([&] { rv::load_tfjs_graph(dt); }, "complex64");
  // Unknown op on the way to an output.
  auto bad_op = j;
  for (auto& n : bad_op["modelTopology"]["node"])
    if (n["name"] == "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6") n["op"] = "Conv3D";
  const auto op = write("op.json", bad_op);
  const auto g = rv::load_tfjs_graph(op);
  expect_input_error([&] { rv::run_tfjs_graph(g, torch::zeros({1, 33, 33, 3}), {"MobilenetV1/heatmap_2/BiasAdd"}); },
                     "Conv3D");
  expect_input_error([&] { rv::tfjs_conv_chain(g, "MobilenetV1/heatmap_2/BiasAdd"); }, "Conv3D");
  expect_input_error([&] { rv::run_tfjs_graph(g, torch::zeros({1, 33, 33, 3}), {"no/such/node"}); }, "no/such/node");
  // Not a graph model.
  const auto notgraph = write("layers.json", nlohmann::json{{"modelTopology", {{"class_name", "Sequential"}}}, {"weightsManifest", nlohmann::json::array()}});
  expect_input_error([&] { rv::load_tfjs_graph(notgraph); }, "node list");
  std::ofstream(dir / "garbage.json") << "{not json";
  expect_input_error([&] { rv::load_tfjs_graph((dir / "garbage.json").string()); }, "not valid JSON");
  fs::remove_all(dir);
}

// float16 and uint8-quantised entries decode as the converter writes them.
TEST(TfjsGraph, QuantisedWeights) {
  const auto dir = temp_dir("quant");
  // Three entries: float16 [2], uint8 [3] with min -1 / scale 0.5, float32 [1].
  std::string bin;
  const uint16_t halves[2] = {0x3C00, 0xC000};  // 1.0, -2.0
  bin.append(reinterpret_cast<const char*>(halves), 4);
  const uint8_t q[3] = {0, 2, 5};
  bin.append(reinterpret_cast<const char*>(q), 3);
  const float f = 3.25f;
  bin.append(reinterpret_cast<const char*>(&f), 4);
  std::ofstream(dir / "w.bin", std::ios::binary) << bin;
  nlohmann::json j = {
      {"modelTopology", {{"node", nlohmann::json::array({{{"name", "x"}, {"op", "Placeholder"}}})}}},
      {"weightsManifest",
       nlohmann::json::array({{{"paths", {"w.bin"}},
                               {"weights",
                                nlohmann::json::array(
                                    {{{"name", "h"}, {"shape", {2}}, {"dtype", "float32"}, {"quantization", {{"dtype", "float16"}}}},
                                     {{"name", "q"}, {"shape", {3}}, {"dtype", "float32"},
                                      {"quantization", {{"dtype", "uint8"}, {"min", -1.0}, {"scale", 0.5}}}},
                                     {{"name", "f"}, {"shape", {1}}, {"dtype", "float32"}}})}}})}};
  std::ofstream(dir / "model.json") << j.dump();
  const auto g = rv::load_tfjs_graph((dir / "model.json").string());
  EXPECT_FLOAT_EQ(g.weights.at("h")[0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(g.weights.at("h")[1].item<float>(), -2.0f);
  EXPECT_FLOAT_EQ(g.weights.at("q")[0].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(g.weights.at("q")[2].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(g.weights.at("f")[0].item<float>(), 3.25f);
  fs::remove_all(dir);
}

namespace {

fs::path centernet_json() { return source_root() / "models" / "pretrained" / "centernet" / "centernet.json"; }
fs::path centernet_reference() { return source_root() / "tests" / "data" / "centernet-reference"; }

// make-reference.mjs's input: xorshift32 bytes, row-major NHWC, as float32 v.
torch::Tensor xorshift_bytes(const std::vector<int64_t>& shape, uint32_t seed) {
  auto t = torch::empty(shape, torch::kFloat);
  auto* p = t.data_ptr<float>();
  uint32_t s = seed;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    p[i] = static_cast<float>(s >> 24);
  }
  return t;
}

const rv::TfjsGraph& centernet() {
  static const rv::TfjsGraph g = rv::load_tfjs_graph(centernet_json().string());
  return g;
}

}  // namespace

// CenterNet's MobileNetV3 graph is a DAG (residual adds, squeeze-excite
// multiplies, hard-swish, an upsampling FPN with concatenations). Run by the
// reader, the trainable module built from its subgraph, and the module after a
// round trip of its topology through JSON text, it reproduces TF.js's person
// logits, head features and trunk features (manifest: which channels).
TEST(TfjsGraph, ReproducesCenterNetReference) {
  std::ifstream in(centernet_reference() / "manifest.json");
  ASSERT_TRUE(in);
  const auto m = nlohmann::json::parse(in);
  const auto& c = m["cases"][0];
  const auto shape = c["input"]["shape"].get<std::vector<int64_t>>();
  const auto input = xorshift_bytes(shape, c["seed"].get<uint32_t>());
  EXPECT_NEAR(input.to(torch::kDouble).mean().item<double>(), c["input"]["mean"].get<double>(), 1e-9);
  std::vector<std::string> names;
  for (const auto& o : c["outputs"]) names.push_back(o["node"]);
  const auto ran = rv::run_tfjs_graph(centernet(), input, names);

  const auto topo = rv::tfjs_subgraph(centernet(), names);
  rv::TfjsGraphNet net(nlohmann::json::parse(topo.dump()));
  EXPECT_GT(net->load_weights(centernet()), 80);
  std::vector<torch::Tensor> mod;
  {
    torch::NoGradGuard no_grad;
    mod = net->forward(input.permute({0, 3, 1, 2}).contiguous());
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& o = c["outputs"][i];
    const auto ref = read_f32(centernet_reference() / o["file"].get<std::string>(), o["shape"].get<std::vector<int64_t>>());
    const int64_t b = o["channels"]["begin"], n = o["channels"]["size"];
    const auto a = ran.at(names[i]).narrow(3, b, n);
    const auto bm = mod[i].permute({0, 2, 3, 1}).narrow(3, b, n);
    ASSERT_EQ(a.sizes(), ref.sizes()) << names[i];
    ASSERT_EQ(bm.sizes(), ref.sizes()) << names[i];
    // Relative to the output's range (trunk features reach ±17; float32 sums of thousands of terms).
    const double tol = 1e-4 * std::max(1.0, ref.abs().max().item<double>());
    EXPECT_LE(max_abs(a, ref), tol) << names[i];
    EXPECT_LE(max_abs(bm, ref), tol) << names[i];
    std::cout << o["key"].get<std::string>() << " max abs error " << max_abs(a, ref) << " (module " << max_abs(bm, ref) << ")\n";
  }
  EXPECT_EQ(net->output_channels(0), 80);
  EXPECT_EQ(net->output_channels(1), 128);
  // Without autograd the module writes element-wise results into tensors nothing
  // else holds; with autograd every op makes a new one. Both give the same numbers.
  {
    const auto plain = net->forward(input.permute({0, 3, 1, 2}).contiguous());
    for (size_t i = 0; i < names.size(); ++i)
      EXPECT_LE(max_abs(plain[i].detach(), mod[i]), 1e-5 * std::max(1.0, mod[i].abs().max().item<double>())) << names[i];
  }
  // Only the person logits: the class convolution computes one channel, the same one.
  EXPECT_FALSE(net->keep_output_channels(1, 1)) << "the head features are a product, not a convolution";
  EXPECT_THROW(net->keep_output_channels(names.size(), 1), c10::Error);
  ASSERT_TRUE(net->keep_output_channels(0, 1));
  {
    torch::NoGradGuard no_grad;
    const auto person = net->forward(input.permute({0, 3, 1, 2}).contiguous())[0];
    ASSERT_EQ(person.size(1), 1);
    EXPECT_LE(max_abs(person, mod[0].narrow(1, 0, 1)), 1e-5 * std::max(1.0, mod[0].abs().max().item<double>()));
  }

  // Trainable: a loss on the person logits reaches the first convolution.
  net->zero_grad();
  const auto y = net->forward(torch::rand({1, 3, 64, 64}) * 255)[0];
  y.narrow(1, 0, 1).mean().backward();
  const auto first = net->named_parameters().begin()->value();
  ASSERT_TRUE(first.grad().defined());
  EXPECT_GT(first.grad().abs().sum().item<double>(), 0.0);
}

// The topology refuses what it cannot run, naming the node.
TEST(TfjsGraph, SubgraphErrors) {
  // Unsupported op on the way (CenterNet's post-processing).
  expect_input_error([] { rv::tfjs_subgraph(centernet(), {"tower_0/detections"}); }, "op not supported");
  // A topology whose node reads a later one.
  nlohmann::json bad = {{"input", "x"}, {"outputs", {1}},
                        {"nodes", {{{"name", "x"}, {"op", "input"}, {"in", nlohmann::json::array()}},
                                   {{"name", "r"}, {"op", "relu"}, {"in", {2}}}}}};
  expect_input_error([&] { rv::TfjsGraphNet net(bad, "t.json"); }, "does not come before it");
  bad["nodes"][1]["in"] = {0};
  bad["nodes"][1]["op"] = "Conv3D";
  expect_input_error([&] { rv::TfjsGraphNet net(bad, "t.json"); }, "Conv3D");
  bad["nodes"][1]["op"] = "conv";
  expect_input_error([&] { rv::TfjsGraphNet net(bad, "t.json"); }, "malformed graph topology");
  // Weights from another graph.
  rv::TfjsGraphNet net(rv::tfjs_subgraph(centernet(), {"tower_0/MobilenetV3/expanded_conv/add"}));
  expect_input_error([&] { net->load_weights(posenet()); }, "has no node");
}

// Two random 70×100 images, and a counting network's map of them in eval mode: stride 8 over the
// input padded to 32-px cells, so 9 × 13 cells.
torch::Tensor random_images(uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({2, 3, 70, 100});
}

torch::Tensor stride_eight_map(rv::RankNet& net, const torch::Tensor& images) {
  net.eval();
  torch::NoGradGuard no_grad;
  const auto d = net.dense(images);
  EXPECT_EQ(d.sizes(), (std::vector<int64_t>{2, 1, 9, 13}));
  return d;
}

// The counting network on CenterNet's trunk: a stride-8 density map covering any
// input size (padded to 32-px cells inside), the topology carried by the bundle,
// and clear errors without it.
TEST(GraphDensityNet, StrideEightAnySizeAndBundleRoundTrip) {
  rv::NetSpec spec;
  spec.arch = "centernet_mnv3";
  rv::set_arch_normalisation(spec);
  expect_input_error([&] { rv::build_network(spec); }, "--init models/pretrained/centernet/centernet.json");
  rv::attach_graph_topology(spec, centernet());
  rv::ModelBundle b = rv::make_bundle(spec);
  EXPECT_GT(rv::import_tfjs_trunk(*b.net, centernet()), 80);
  const auto images = random_images(5);
  const torch::Tensor d = stride_eight_map(*b.net, images);
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(b.net->scalar(images), d.sum({1, 2, 3})));
  }
  // Trained weights of the pretrained trunk reach the file and come back without the graph file.
  const auto dir = temp_dir("graph-bundle");
  const auto path = (dir / "cn.rvm").string();
  rv::save_bundle(path, b);
  const auto back = rv::load_bundle(path, rv::Task::Count);
  EXPECT_EQ(back.meta.spec.arch, "centernet_mnv3");
  EXPECT_EQ(back.meta.spec.graph, spec.graph);
  back.net->eval();
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(back.net->dense(images), d, 1e-5, 1e-6));
  }
  // Weight averaging needs the same topology.
  auto other = spec;
  rv::attach_graph_topology(other, centernet());
  other.graph["nodes"][5]["name"] = "renamed";
  rv::ModelBundle c = rv::make_bundle(other);
  expect_input_error([&] { rv::blend_bundles(back, c, 0.5); }, "graph topology differs");
  fs::remove_all(dir);
}

// The "fine" decoder: the same stride-8 map over any input size, a learned 1×1
// at stride 4 whose 2×2 cells are stacked (so a head's place in its cell
// reaches the 3×3 convs), its name in the bundle, and clear errors.
TEST(GraphDensityNet, FineDecoderStacksStrideFourCells) {
  rv::NetSpec spec;
  spec.arch = "centernet_mnv3";
  rv::set_arch_normalisation(spec);
  rv::attach_graph_topology(spec, centernet());
  rv::NetSpec fine = spec;
  fine.decoder = "fine";
  rv::ModelBundle b = rv::make_bundle(fine);
  EXPECT_EQ(b.meta.output_stride, 8);
  auto params = b.net->named_parameters(true);
  ASSERT_NE(params.find("cell.weight"), nullptr);
  EXPECT_EQ(params["cell.weight"].sizes(), (std::vector<int64_t>{32, 129, 1, 1}));
  EXPECT_EQ(params["fuse1.weight"].size(1), 129);  // 4 × 32 stacked + the person logit
  const auto images = random_images(6);
  const torch::Tensor d = stride_eight_map(*b.net, images);
  EXPECT_TRUE(torch::isfinite(d).all().item<bool>());
  // The top-left stride-4 cell of every 2×2 reaches the 3×3 convs through its own weights.
  {
    torch::NoGradGuard no_grad;
    auto slot00 = params["fuse1.weight"].slice(1, 0, 128, 4);  // pixel_unshuffle: channel 4c + 2i + j
    const auto saved = slot00.clone();
    slot00.zero_();
    EXPECT_FALSE(torch::allclose(b.net->dense(images), d));
    slot00.copy_(saved);
    EXPECT_TRUE(torch::allclose(b.net->dense(images), d));
  }
  const auto dir = temp_dir("fine-bundle");
  const auto path = (dir / "fine.rvm").string();
  rv::save_bundle(path, b);
  const auto back = rv::load_bundle(path, rv::Task::Count);
  EXPECT_EQ(back.meta.spec.decoder, "fine");
  back.net->eval();
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(back.net->dense(images), d, 1e-5, 1e-6));
  }
  // A pool bundle writes no decoder field (older bundles read as pool) and does not blend with a fine one.
  rv::ModelBundle pool = rv::make_bundle(spec);
  EXPECT_FALSE(pool.meta.to_json().contains("decoder"));
  EXPECT_EQ(back.meta.to_json().at("decoder"), "fine");
  expect_input_error([&] { rv::blend_bundles(back, pool, 0.5); }, "decoder differs (fine vs pool)");
  rv::NetSpec bad = spec;
  bad.decoder = "wide";
  expect_input_error([&] { rv::build_network(bad); }, "decoder 'wide': unknown");
  fs::remove_all(dir);
}

// Peak counting on CenterNet's unchanged detector: its person score is the
// graph's own (sigmoid of the class-0 logit), the count is the number of local
// maxima above the threshold (a step) or their clamped ramp, the stride-4 map
// holds the same count even for a peak by the edge, the thresholds travel in
// the bundle, and there is nothing to train.
TEST(PeakCountNet, CountsTheDetectorsPeaksAndRoundTrips) {
  rv::NetSpec spec;
  spec.arch = "centernet_peaks";
  rv::set_arch_normalisation(spec);
  expect_input_error([&] { rv::build_network(spec); }, "--init models/pretrained/centernet/centernet.json");
  rv::attach_graph_topology(spec, centernet());
  ASSERT_EQ(spec.graph["outputs"].size(), 1u);
  rv::ModelBundle b = rv::make_bundle(spec);
  EXPECT_GT(rv::import_tfjs_trunk(*b.net, centernet()), 80);
  EXPECT_EQ(b.meta.output_stride, 4);
  auto* net = dynamic_cast<rv::PeakCountNet*>(b.net.get());
  ASSERT_NE(net, nullptr);
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.requires_grad());
  torch::manual_seed(7);
  const auto images = torch::rand({1, 3, 64, 96});
  torch::NoGradGuard no_grad;
  // The person score is the original graph's.
  const auto score = net->person_score(images);
  ASSERT_EQ(score.sizes(), (std::vector<int64_t>{1, 1, 16, 24}));
  const auto ran = rv::run_tfjs_graph(centernet(), (images * 255).permute({0, 2, 3, 1}).contiguous(),
                                      {"tower_0/CenternetHead/centernet_cls_output/BiasAdd"});
  const auto logit = ran.begin()->second.select(3, 0);
  EXPECT_LT((torch::sigmoid(logit) - score[0]).abs().max().item<double>(), 1e-4);
  // The count with a step threshold: local maxima (3×3) above it, counted by hand.
  const auto s = score[0][0];
  const double low = s.max().item<double>() * 0.5;
  net->set_peak_range(low, low);
  long peaks = 0;
  for (int64_t y = 0; y < s.size(0); ++y)
    for (int64_t x = 0; x < s.size(1); ++x) {
      const float v = s[y][x].item<float>();
      bool top = v > low;
      for (int64_t dy = -1; dy <= 1 && top; ++dy)
        for (int64_t dx = -1; dx <= 1 && top; ++dx) {
          const int64_t yy = y + dy, xx = x + dx;
          if (yy >= 0 && xx >= 0 && yy < s.size(0) && xx < s.size(1) && s[yy][xx].item<float>() > v) top = false;
        }
      peaks += top;
    }
  EXPECT_GT(peaks, 0);
  EXPECT_DOUBLE_EQ(net->scalar(images).item<double>(), static_cast<double>(peaks));
  // The map at stride 4 holds the count (a peak by the edge keeps its whole count).
  const auto d = net->dense(images);
  EXPECT_EQ(d.sizes(), score.sizes());
  EXPECT_NEAR(d.sum().item<double>(), static_cast<double>(peaks), 1e-4);
  // A static peak (a place where the empty scene has one) takes the peaks within 2 cells out of the count.
  const auto top = torch::nonzero((s == std::get<0>(torch::max_pool2d_with_indices(s.unsqueeze(0), {3, 3}, {1, 1}, {1, 1}))[0]) & (s > low));
  ASSERT_GT(top.size(0), 0);
  const double py = (top[0][0].item<double>() + 0.5) / s.size(0), px = (top[0][1].item<double>() + 0.5) / s.size(1);
  net->set_static_peaks({{px, py}});
  const double without = net->scalar(images).item<double>();
  EXPECT_LE(without, static_cast<double>(peaks) - 1);
  EXPECT_NEAR(net->dense(images).sum().item<double>(), without, 1e-4);
  ASSERT_EQ(net->static_peaks().size(), 1u);
  EXPECT_NEAR(net->static_peaks()[0].first, px, 1e-6);
  // The mask is cached per frame size; every change of the buffer shows at once: set_static_peaks, and a
  // write into the buffer itself (as loading a bundle does).
  net->set_static_peaks({});
  EXPECT_DOUBLE_EQ(net->scalar(images).item<double>(), static_cast<double>(peaks));
  net->set_static_peaks({{px, py}});
  EXPECT_DOUBLE_EQ(net->scalar(images).item<double>(), without);
  {
    torch::NoGradGuard no_grad;
    net->named_buffers()["static_peaks"].zero_();
  }
  EXPECT_DOUBLE_EQ(net->scalar(images).item<double>(), static_cast<double>(peaks));
  net->set_static_peaks({{px, py}});
  expect_input_error([&] { net->set_static_peaks(std::vector<std::pair<double, double>>(33, {0.5, 0.5})); }, "at most 32");
  expect_input_error([&] { net->set_static_peaks({{1.5, 0.5}}); }, "outside the frame");
  // A ramp: a peak halfway between low and high counts one half.
  net->set_peak_range(0.2, 0.6);
  EXPECT_NEAR(net->peak_mass(torch::tensor({0.1, 0.4, 0.9})).sum().item<double>(), 1.5, 1e-6);
  expect_input_error([&] { net->set_peak_range(0.0, 0.5); }, "0 < low < 1");
  expect_input_error([&] { net->set_peak_range(0.5, 1.5); }, "0 < low < 1");
  // The thresholds travel in the bundle.
  net->set_peak_range(0.3, 0.45);
  const auto dir = temp_dir("peaks-bundle");
  const auto path = (dir / "p.rvm").string();
  rv::save_bundle(path, b);
  const auto back = rv::load_bundle(path, rv::Task::Count);
  EXPECT_EQ(back.meta.spec.arch, "centernet_peaks");
  auto* net2 = dynamic_cast<rv::PeakCountNet*>(back.net.get());
  ASSERT_NE(net2, nullptr);
  EXPECT_NEAR(net2->peak_range().first, 0.3, 1e-6);
  EXPECT_NEAR(net2->peak_range().second, 0.45, 1e-6);
  ASSERT_EQ(net2->static_peaks().size(), 1u);
  EXPECT_NEAR(net2->static_peaks()[0].second, py, 1e-6);
  EXPECT_TRUE(torch::allclose(net2->dense(images), net->dense(images)));
  fs::remove_all(dir);
  // It counts people; there is no quality variant.
  rv::NetSpec quality = spec;
  quality.task = rv::Task::Quality;
  expect_input_error([&] { rv::build_network(quality); }, "no quality network");
}

// The quality network on CenterNet's trunk: one score per image at any input size,
// its pooled statistics from the six tapped layers, the pretrained weights in use
// (the tapped features equal the original graph's), and a bundle round trip.
TEST(GraphQualityNet, ScoresAnySizeFromTheGraphTapsAndRoundTrips) {
  rv::NetSpec spec;
  spec.task = rv::Task::Quality;
  spec.arch = "centernet_mnv3";
  rv::set_arch_normalisation(spec);
  expect_input_error([&] { rv::build_network(spec); }, "--init models/pretrained/centernet/centernet.json");
  rv::attach_graph_topology(spec, centernet());
  const auto taps = rv::graph_trunk_outputs("centernet_mnv3", rv::Task::Quality);
  ASSERT_EQ(taps.size(), 6u);
  rv::ModelBundle b = rv::make_bundle(spec);
  EXPECT_GT(rv::import_tfjs_trunk(*b.net, centernet()), 50);
  b.net->eval();
  auto* q = dynamic_cast<rv::GraphQualityNet*>(b.net.get());
  ASSERT_NE(q, nullptr);
  torch::manual_seed(6);
  const auto images = torch::rand({2, 3, 75, 101});
  torch::NoGradGuard no_grad;
  const auto scores = b.net->scalar(images);
  EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{2}));
  EXPECT_TRUE(torch::isfinite(scores).all().item<bool>());
  // The statistics are those of the original graph's nodes (RGB 0..255 in).
  const auto ran = rv::run_tfjs_graph(centernet(), (images[0] * 255).permute({1, 2, 0}).unsqueeze(0), taps);
  const auto f = q->features(images.narrow(0, 0, 1));
  int64_t at = 0;
  for (const auto& name : taps) {
    const auto y = ran.at(name).permute({0, 3, 1, 2});
    const int64_t c = y.size(1);
    EXPECT_TRUE(torch::allclose(f.narrow(1, at, c), y.mean({2, 3}), 1e-3, 1e-4)) << name;
    const auto sd = torch::sqrt(y.var({2, 3}, /*unbiased=*/false) + 1e-6);  // the network's eps
    EXPECT_TRUE(torch::allclose(f.narrow(1, at + c, c), sd, 1e-3, 1e-4)) << name;
    at += 2 * c;
  }
  EXPECT_EQ(at, f.size(1));
  const auto dir = temp_dir("graph-quality-bundle");
  const auto path = (dir / "q.rvm").string();
  rv::save_bundle(path, b);
  const auto back = rv::load_bundle(path, rv::Task::Quality);
  EXPECT_EQ(back.meta.spec.arch, "centernet_mnv3");
  EXPECT_EQ(back.meta.spec.graph, spec.graph);
  back.net->eval();
  EXPECT_TRUE(torch::allclose(back.net->scalar(images), scores, 1e-5, 1e-6));
  expect_input_error([&] { rv::load_bundle(path, rv::Task::Count); }, "q.rvm");
  fs::remove_all(dir);
}

// TF's legacy ResizeBilinear (no half-pixel centres) is not PyTorch's bilinear.
TEST(TfResize, LegacyAndHalfPixel) {
  const auto x = torch::tensor({0.f, 10.f, 20.f}).view({1, 1, 1, 3});
  const auto legacy = rv::tf_resize_bilinear(x, 1, 6, false, false);
  EXPECT_TRUE(torch::allclose(legacy.view({6}), torch::tensor({0.f, 5.f, 10.f, 15.f, 20.f, 20.f})));
  const auto half = rv::tf_resize_bilinear(x, 1, 6, false, true);
  EXPECT_TRUE(torch::allclose(half.view({6}), torch::tensor({0.f, 2.5f, 7.5f, 12.5f, 17.5f, 20.f})));
  const auto corners = rv::tf_resize_bilinear(x, 1, 5, true, false);
  EXPECT_TRUE(torch::allclose(corners.view({5}), torch::tensor({0.f, 5.f, 10.f, 15.f, 20.f})));
}

// The whole-factor legacy path (slices, channels-last kept) against TF's formula done by hand.
TEST(TfResize, WholeFactorMatchesTheFormula) {
  torch::manual_seed(5);
  const auto x = torch::rand({2, 3, 3, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
  const auto y = rv::tf_resize_bilinear(x, 12, 10, false, false);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 3, 12, 10}));
  EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
  auto want = torch::empty({2, 3, 12, 10});
  auto axis = [](int64_t d, int64_t f, int64_t n) {
    const double src = double(d) / double(f);
    const int64_t lo = static_cast<int64_t>(src);
    return std::make_tuple(lo, std::min(lo + 1, n - 1), src - double(lo));
  };
  for (int64_t r = 0; r < 12; ++r)
    for (int64_t c = 0; c < 10; ++c) {
      const auto [r0, r1, wr] = axis(r, 4, 3);
      const auto [c0, c1, wc] = axis(c, 2, 5);
      auto at = [&](int64_t i, int64_t j) { return x.select(2, i).select(2, j); };
      want.select(2, r).select(2, c).copy_((at(r0, c0) * (1 - wc) + at(r0, c1) * wc) * (1 - wr) +
                                           (at(r1, c0) * (1 - wc) + at(r1, c1) * wc) * wr);
    }
  EXPECT_LE(max_abs(y.contiguous(), want), 1e-6);
}

// rv::conv2d takes oneDNN's kernels when autograd is off; with it on, at::conv2d.
// Both must give the same numbers for every shape the networks use.
TEST(Conv2d, InferencePathMatchesAtenConv) {
  torch::manual_seed(3);
  struct Case { int64_t in, out, k, stride, groups; std::array<int64_t, 4> pad; bool bias; };
  const std::vector<Case> cases = {
      {3, 24, 3, 2, 1, {0, 1, 0, 1}, true},     // first conv, SAME at even size (asymmetric)
      {24, 24, 3, 1, 24, {1, 1, 1, 1}, true},   // depthwise
      {48, 48, 3, 2, 48, {0, 1, 1, 1}, true},   // depthwise stride 2, mixed padding
      {96, 192, 1, 1, 1, {0, 0, 0, 0}, true},   // pointwise
      {64, 1, 1, 1, 1, {0, 0, 0, 0}, false},    // output head without bias
  };
  for (const auto& c : cases) {
    const auto x = torch::rand({1, c.in, 37, 50});
    const auto w = torch::randn({c.out, c.in / c.groups, c.k, c.k}) * 0.2;
    const auto b = c.bias ? torch::randn({c.out}) : torch::Tensor();
    const auto padded = torch::constant_pad_nd(x, {c.pad[2], c.pad[3], c.pad[0], c.pad[1]}, 0.0);
    const auto want = at::conv2d(padded, w, b, std::vector<int64_t>{c.stride, c.stride}, std::vector<int64_t>{0, 0},
                                 std::vector<int64_t>{1, 1}, c.groups);
    torch::Tensor got;
    {
      c10::InferenceMode guard;
      got = rv::conv2d(x, w, b, c.stride, c.pad, 1, c.groups);
    }
    ASSERT_EQ(got.sizes(), want.sizes()) << "k=" << c.k << " groups=" << c.groups;
    EXPECT_LE(max_abs(got.contiguous(), want), 1e-4) << "k=" << c.k << " groups=" << c.groups;
    // With autograd on it is at::conv2d itself, and gradients flow.
    const auto wg = w.clone().requires_grad_(true);
    rv::conv2d(x, wg, b, c.stride, c.pad, 1, c.groups).sum().backward();
    EXPECT_TRUE(wg.grad().defined());
  }
  // A torch::nn::Conv2d runs through it with its own options.
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(8, 4, 3).padding(1));
  const auto x = torch::rand({1, 8, 20, 30});
  const auto want = conv->forward(x).detach();
  c10::InferenceMode guard;
  EXPECT_LE(max_abs(rv::conv2d(conv, x).contiguous(), want), 1e-4);
}
