#include "model/graph_nets.h"

#include <algorithm>

#include "common/error.h"
#include "model/conv.h"
#include "model/tfjs_graph.h"

namespace rv {

namespace {

const char* kCenterNetFeatures = "tower_0/CenternetHead/mul";
const char* kCenterNetClasses = "tower_0/CenternetHead/centernet_cls_output/BiasAdd";
// Quality: the activated expansion convs of blocks 1, 3, 6, 10, 12 and 14
// (strides 2, 4, 8, 16, 16, 32).
const char* kCenterNetQualityTaps[] = {
    "tower_0/MobilenetV3/expanded_conv_1/expand/Relu",
    "tower_0/MobilenetV3/expanded_conv_3/expand/Relu",
    "tower_0/MobilenetV3/expanded_conv_6/expand/hard_swish/mul_1",
    "tower_0/MobilenetV3/expanded_conv_10/expand/hard_swish/mul_1",
    "tower_0/MobilenetV3/expanded_conv_12/expand/hard_swish/mul_1",
    "tower_0/MobilenetV3/expanded_conv_14/expand/hard_swish/mul_1",
};

}  // namespace

bool is_graph_architecture(const std::string& arch) { return arch == "centernet_mnv3" || arch == "centernet_peaks"; }

std::vector<std::string> graph_trunk_outputs(const std::string& arch, Task task) {
  if (arch == "centernet_mnv3" && task == Task::Quality)
    return {std::begin(kCenterNetQualityTaps), std::end(kCenterNetQualityTaps)};
  if (arch == "centernet_mnv3") return {kCenterNetFeatures, kCenterNetClasses};
  if (arch == "centernet_peaks" && task == Task::Count) return {kCenterNetClasses};
  throw InputError("architecture '" + arch + "' has no TF.js graph trunk");
}

std::vector<std::string> known_decoders() { return {"pool", "fine"}; }

std::string decoder_name(const std::string& decoder) { return decoder.empty() ? "pool" : decoder; }

void require_known_decoder(const std::string& decoder, const std::string& what) {
  const auto known = known_decoders();
  const std::string name = decoder_name(decoder);
  if (std::find(known.begin(), known.end(), name) != known.end()) return;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw InputError(what + " '" + name + "': unknown (known: " + list + ")");
}

void attach_graph_topology(NetSpec& spec, const TfjsGraph& graph) {
  if (!is_graph_architecture(spec.arch)) return;
  spec.graph = tfjs_subgraph(graph, graph_trunk_outputs(spec.arch, spec.task));
}

namespace {

void require_graph(const NetSpec& spec) {
  if (spec.graph.is_null())
    throw InputError("architecture '" + spec.arch +
                     "' is built from its TF.js graph: start from it (--init models/pretrained/centernet/centernet.json) "
                     "or from a model bundle of this architecture");
}

}  // namespace

GraphDensityNet::GraphDensityNet(const NetSpec& spec) : spec_(spec) {
  require_graph(spec);
  if (!(spec.density_scale > 0)) throw InputError("density_scale must be positive");
  trunk_ = register_module("trunk", TfjsGraphNet(spec.graph, spec.arch + " graph topology"));
  const int64_t features = trunk_->output_channels(0);
  if (features <= 0 || trunk_->output_channels(1) <= 0)
    throw InputError(spec.arch + " graph topology: the trunk's outputs have no known channel count");
  // Of the detector's 80 class logits only the person's (channel 0) is read.
  trunk_->keep_output_channels(1, 1);
  require_known_decoder(spec.decoder, spec.arch + " decoder");
  fine_ = decoder_name(spec.decoder) == "fine";
  using torch::nn::Conv2dOptions;
  constexpr int64_t kCellChannels = 32;  // "fine": 4 × 32 = 128 stacked channels, the features' own width
  if (fine_) cell_ = register_module("cell", torch::nn::Conv2d(Conv2dOptions(features + 1, kCellChannels, 1)));
  const int64_t fused_in = (fine_ ? 4 * kCellChannels : features) + 1;
  fuse1_ = register_module("fuse1", torch::nn::Conv2d(Conv2dOptions(fused_in, 64, 3).padding(1)));
  fuse2_ = register_module("fuse2", torch::nn::Conv2d(Conv2dOptions(64, 32, 3).padding(1)));
  out_ = register_module("out", torch::nn::Conv2d(Conv2dOptions(32, 1, 1)));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
  if (fine_)
    init_density_decoder({&cell_, &fuse1_, &fuse2_}, out_);
  else
    init_density_decoder({&fuse1_, &fuse2_}, out_);
}

namespace {

// CenterNet's FPN adds stride-32 features, upsampled ×8, to stride-4 ones: the
// input must be a whole number of 32-pixel cells. Normalises and pads with black
// at the bottom and right; callers keep the output cells that hold the image.
torch::Tensor centernet_input(const torch::Tensor& images, const torch::Tensor& mean, const torch::Tensor& std) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "expected images [N,3,H,W], got ", images.sizes());
  const int64_t h = images.size(2), w = images.size(3);
  const int64_t ph = (32 - h % 32) % 32, pw = (32 - w % 32) % 32;
  auto x = (images - mean) / std;
  if (ph || pw) x = torch::constant_pad_nd(x, {0, pw, 0, ph}, 0.0);
  return x;
}

}  // namespace

torch::Tensor GraphDensityNet::dense(const torch::Tensor& images) {
  const auto f = trunk_->forward(centernet_input(images, mean_, std_));
  const int64_t h = images.size(2), w = images.size(3);  // the ceil(H/8) × ceil(W/8) cells that hold it are kept
  const auto logit = f[1].narrow(1, 0, 1);
  const auto features = fine_ ? torch::pixel_unshuffle(torch::relu(conv2d(cell_, torch::cat({f[0], logit}, 1))), 2)
                              : torch::avg_pool2d(f[0], {2, 2}, {2, 2});
  const auto person = torch::max_pool2d(logit, {2, 2}, {2, 2});
  auto y = torch::relu(conv2d(fuse1_, torch::cat({features, person}, 1)));
  y = torch::relu(conv2d(fuse2_, y));
  y = conv2d(out_, y) / spec_.density_scale;
  return y.narrow(2, 0, (h + 7) / 8).narrow(3, 0, (w + 7) / 8);
}

torch::Tensor GraphDensityNet::scalar(const torch::Tensor& images) { return dense(images).sum({1, 2, 3}); }

PeakCountNet::PeakCountNet(const NetSpec& spec) : spec_(spec) {
  require_graph(spec);
  if (!(spec.density_scale > 0)) throw InputError("density_scale must be positive");
  trunk_ = register_module("trunk", TfjsGraphNet(spec.graph, spec.arch + " graph topology"));
  if (trunk_->output_channels(0) <= 0)
    throw InputError(spec.arch + " graph topology: the person logits have no known channel count");
  trunk_->keep_output_channels(0, 1);
  for (auto& p : trunk_->parameters()) p.set_requires_grad(false);
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
  range_ = register_buffer("peak_range", torch::tensor({0.35, 0.35}, torch::kFloat32));
  static_ = register_buffer("static_peaks", torch::zeros({kMaxStaticPeaks, 3}));
  const auto g = torch::exp(-torch::arange(-2, 3, torch::kFloat32).pow(2) / 2);
  const auto k = torch::outer(g, g);
  blur_ = register_buffer("blur", (k / k.sum()).view({1, 1, 5, 5}));
}

torch::Tensor PeakCountNet::person_score(const torch::Tensor& images) {
  const auto logit = trunk_->forward(centernet_input(images, mean_, std_))[0].narrow(1, 0, 1);
  const int64_t h = images.size(2), w = images.size(3);
  return torch::sigmoid(logit).narrow(2, 0, (h + 3) / 4).narrow(3, 0, (w + 3) / 4);
}

torch::Tensor PeakCountNet::peak_scores(const torch::Tensor& images) {
  const auto p = person_score(images);
  const auto top = torch::max_pool2d(p, {3, 3}, {1, 1}, {1, 1});
  const auto peaks = p * (p >= top).to(p.scalar_type());
  const auto keep = static_keep(p);
  return keep.defined() ? peaks * keep : peaks;
}

torch::Tensor PeakCountNet::static_keep(const torch::Tensor& p) {
  std::lock_guard<std::mutex> hold(keep_cache_.lock);
  auto& c = keep_cache_;
  const int64_t h = p.size(2), w = p.size(3);
  if (c.data != static_.data_ptr() || c.version != static_._version() || c.h != h || c.w != w ||
      (c.keep.defined() && (c.keep.device() != p.device() || c.keep.dtype() != p.dtype()))) {
    const bool any = (static_.select(1, 2) > 0.5).any().item<bool>();
    c.keep = any ? (1 - static_mask(h, w).to(p.options())) : torch::Tensor();
    c.data = static_.data_ptr(), c.version = static_._version(), c.h = h, c.w = w;
  }
  return c.keep;
}

// 1 in the cells within 2 of a static peak, as tensor ops on the buffer (no
// per-point reads back to the host on the per-frame path): point k covers rows
// rows[k] × columns cols[k], so the union is rowsᵀ·cols > 0.
torch::Tensor PeakCountNet::static_mask(int64_t h, int64_t w) const {
  const auto in_use = (static_.select(1, 2) > 0.5).to(torch::kFloat32).unsqueeze(1);                    // [K,1]
  const auto cx = (static_.select(1, 0) * w).floor().clamp(0, w - 1).unsqueeze(1);                     // [K,1]
  const auto cy = (static_.select(1, 1) * h).floor().clamp(0, h - 1).unsqueeze(1);
  const auto xs = torch::arange(w, static_.options()).unsqueeze(0), ys = torch::arange(h, static_.options()).unsqueeze(0);
  const auto cols = ((xs - cx).abs() <= 2).to(torch::kFloat32);                                          // [K,W]
  const auto rows = ((ys - cy).abs() <= 2).to(torch::kFloat32) * in_use;                                 // [K,H]
  return (rows.t().mm(cols) > 0).view({1, 1, h, w});
}

void PeakCountNet::set_static_peaks(const std::vector<std::pair<double, double>>& points) {
  if (points.size() > static_cast<size_t>(kMaxStaticPeaks))
    throw InputError(std::to_string(points.size()) + " static peaks: at most " + std::to_string(kMaxStaticPeaks) +
                     " (raise the threshold, or the empty scene is not empty)");
  for (const auto& [x, y] : points)
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) throw InputError("static peak outside the frame (0..1)");
  torch::NoGradGuard no_grad;
  static_.zero_();
  for (size_t i = 0; i < points.size(); ++i) {
    const auto [x, y] = points[i];
    static_[static_cast<int64_t>(i)][0].fill_(x);
    static_[static_cast<int64_t>(i)][1].fill_(y);
    static_[static_cast<int64_t>(i)][2].fill_(1.0);
  }
}

std::vector<std::pair<double, double>> PeakCountNet::static_peaks() const {
  std::vector<std::pair<double, double>> out;
  const auto s = static_.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto a = s.accessor<float, 2>();
  for (int64_t i = 0; i < a.size(0); ++i)
    if (a[i][2] > 0.5f) out.emplace_back(a[i][0], a[i][1]);
  return out;
}

torch::Tensor PeakCountNet::peak_mass(const torch::Tensor& scores) const {
  const auto [low, high] = peak_range();
  return peak_ramp(scores, low, high);
}

std::pair<double, double> PeakCountNet::peak_range() const {
  return {range_[0].item<double>(), range_[1].item<double>()};
}

void PeakCountNet::set_peak_range(double low, double high) {
  if (!(low > 0 && low < 1 && high < 1))
    throw InputError("peak thresholds " + std::to_string(low) + ", " + std::to_string(high) + ": need 0 < low < 1 and high < 1");
  torch::NoGradGuard no_grad;
  range_[0].fill_(low);
  range_[1].fill_(std::max(low, high));
}

torch::Tensor PeakCountNet::dense(const torch::Tensor& images) {
  const auto mass = peak_mass(peak_scores(images)) * (100.0 / spec_.density_scale);
  // Each peak's share of its 5×5 spread that falls inside the image: dividing
  // by it keeps a peak by the edge at its full count. The Gaussian is separable,
  // so the share is the product of a row and a column profile.
  const auto g = blur_[0][0].sum(1);  // the 1-D kernel, summing to 1
  auto inside_1d = [&](int64_t n) {
    return torch::conv1d(torch::ones({1, 1, n}, mass.options()), g.view({1, 1, 5}), {}, 1, 2).view({n});
  };
  const auto inside = inside_1d(mass.size(2)).unsqueeze(1) * inside_1d(mass.size(3)).unsqueeze(0);
  return torch::conv2d(mass / inside, blur_, {}, 1, 2);
}

torch::Tensor PeakCountNet::scalar(const torch::Tensor& images) {
  return (peak_mass(peak_scores(images)) * (100.0 / spec_.density_scale)).sum({1, 2, 3});
}

GraphQualityNet::GraphQualityNet(const NetSpec& spec) : spec_(spec) {
  require_graph(spec);
  trunk_ = register_module("trunk", TfjsGraphNet(spec.graph, spec.arch + " graph topology"));
  const auto& outputs = spec.graph.at("outputs");
  int64_t features = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const int64_t c = trunk_->output_channels(i);
    if (c <= 0) throw InputError(spec.arch + " graph topology: output " + std::to_string(i) + " has no known channel count");
    features += 2 * c;
  }
  if (features == 0) throw InputError(spec.arch + " graph topology: the quality trunk has no outputs");
  // The statistics differ in scale by orders of magnitude from layer to layer:
  // standardise them (running statistics at inference) before the MLP.
  norm_ = register_module("norm", torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(features).affine(false)));
  fc1_ = register_module("fc1", torch::nn::Linear(features, 128));
  drop_ = register_module("drop", torch::nn::Dropout(0.25));
  fc2_ = register_module("fc2", torch::nn::Linear(128, 1));
  mean_ = register_buffer("mean", channel_tensor(spec.mean));
  std_ = register_buffer("std", channel_tensor(spec.std));
}

torch::Tensor GraphQualityNet::features(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "expected images [N,3,H,W], got ", images.sizes());
  return mean_sd_statistics(trunk_->forward((images - mean_) / std_));
}

torch::Tensor GraphQualityNet::dense(const torch::Tensor& images) {
  auto y = torch::relu(fc1_->forward(drop_->forward(norm_->forward(features(images)))));
  return fc2_->forward(y).view({-1, 1, 1, 1});
}

torch::Tensor GraphQualityNet::scalar(const torch::Tensor& images) { return dense(images).view({-1}); }

}  // namespace rv
