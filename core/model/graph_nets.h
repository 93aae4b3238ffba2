#pragma once
// Networks whose trunk is a TF.js graph run by TfjsGraphNet (model/tfjs_module.h).
//
// Counting network "centernet_mnv3": CenterNet's MobileNetV3 object detector
// (COCO, 80 classes; the graph `models/pretrained/centernet/centernet.json`)
// up to its stride-4 head features — the FPN that merges strides 32, 16, 8
// and 4, after its squeeze-excite gate, 128 channels — which the detector's
// class heads (person among them) read. Those features are averaged to stride
// 8 and fed, with the detector's own person logits (max over each 2×2 cell),
// to two 3×3 convs and a 1×1: the density map at stride 8. The graph takes
// RGB 0..255 (mean 0, std 1/255 in the spec). With spec.decoder "fine" the
// stride-4 features and person logit first go through a learned 1×1 conv (32
// channels, ReLU) at stride 4, whose 2×2 cells are stacked into 128 channels
// at stride 8 (pixel unshuffle) in place of the average: where in a cell each
// head lies, and how many there are, survive to the 3×3 convs.
//
// Counting network "centernet_peaks": the same detector, unchanged, up to its
// person logit at stride 4, and nothing to train. The count is the number of
// its person peaks (local maxima of the sigmoid over 3×3 cells): a peak of
// score p counts clamp((p − low) / (high − low), 0, 1) (a step at `low` when
// high ≤ low), and the density map spreads each peak's count over a 5×5-cell
// Gaussian (σ = 1 cell) at stride 4, so the map shows one blob per person found.
// `rankvision adapt` fits low and high (and the input scale) to a camera's
// counted frames. For sparse scenes of people seen whole (a detector's case);
// small, occluded people in crowds are missed.
//
// Quality network "centernet_mnv3" (task quality): the same MobileNetV3 trunk
// (no FPN, any input size); the mean and standard deviation over the image of
// the expansion layers of six of its blocks (strides 2 to 32, 64 to 960
// channels: from fine texture and noise up to objects), standardised by a
// batch norm without affine terms, into a small MLP to one raw score.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "model/network.h"
#include "model/tfjs_module.h"

namespace rv {

struct TfjsGraph;

// True for architectures whose trunk is a TF.js graph (spec.graph needed).
bool is_graph_architecture(const std::string& arch);
// The graph nodes an architecture's trunk computes for a task (tfjs_subgraph outputs).
std::vector<std::string> graph_trunk_outputs(const std::string& arch, Task task);
// The counting decoders of centernet_mnv3 (NetSpec::decoder), and the name of one ("" is "pool").
std::vector<std::string> known_decoders();
std::string decoder_name(const std::string& decoder);
// rv::InputError "<what> 'NAME': unknown (known: pool, fine)" unless decoder_name(decoder) is known.
void require_known_decoder(const std::string& decoder, const std::string& what);

class GraphDensityNet : public RankNet {
 public:
  explicit GraphDensityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 8; }
  const NetSpec& spec() const override { return spec_; }
  TfjsGraphNet& trunk() { return trunk_; }

 private:
  NetSpec spec_;
  TfjsGraphNet trunk_{nullptr};
  bool fine_ = false;
  torch::nn::Conv2d cell_{nullptr};  // "fine": the 1×1 at stride 4
  torch::nn::Conv2d fuse1_{nullptr}, fuse2_{nullptr}, out_{nullptr};
  torch::Tensor mean_, std_;
};

class PeakCountNet : public RankNet {
 public:
  explicit PeakCountNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 4; }
  const NetSpec& spec() const override { return spec_; }
  TfjsGraphNet& trunk() { return trunk_; }
  // The person score (sigmoid of the logit) at stride 4, [N,1,ceil(H/4),ceil(W/4)].
  torch::Tensor person_score(const torch::Tensor& images);
  // The same with everything but the local maxima (3×3) set to zero.
  torch::Tensor peak_scores(const torch::Tensor& images);
  // What one peak of score p counts (before the density scale), at the model's thresholds.
  torch::Tensor peak_mass(const torch::Tensor& scores) const;
  // The one formula, for a tensor of scores or one score (what fitting the thresholds
  // evaluates): a step at low when high <= low, else clamp((p - low) / (high - low), 0, 1).
  template <class Score>
  static Score peak_ramp(const Score& score, double low, double high) {
    if (high <= low) return indicator(score > low);
    return unit_clamp((score - low) / (high - low));
  }
  std::pair<double, double> peak_range() const;
  // Throws rv::InputError unless 0 < low < 1 and high < 1.
  void set_peak_range(double low, double high);
  // Static peaks: places (x, y normalised to 0..1 of the frame) where the camera's
  // empty scene already has a person-like peak (a sign, a post). Peaks within 2
  // cells of one are not counted. At most kMaxStaticPeaks; rv::InputError beyond.
  static constexpr int kMaxStaticPeaks = 32;
  void set_static_peaks(const std::vector<std::pair<double, double>>& points);
  std::vector<std::pair<double, double>> static_peaks() const;

 private:
  static double indicator(bool b) { return b ? 1.0 : 0.0; }
  static torch::Tensor indicator(const torch::Tensor& b) { return b.to(torch::kFloat32); }
  static double unit_clamp(double v) { return std::clamp(v, 0.0, 1.0); }
  static torch::Tensor unit_clamp(const torch::Tensor& v) { return v.clamp(0.0, 1.0); }
  // [1,1,h,w]: true within 2 cells of a static peak.
  torch::Tensor static_mask(int64_t h, int64_t w) const;
  // 1 − static_mask as p's dtype, cached per size and per state of the buffer (set_static_peaks, a
  // loaded bundle and a device move all change its data or version); undefined when no peak is set.
  torch::Tensor static_keep(const torch::Tensor& p);

  NetSpec spec_;
  TfjsGraphNet trunk_{nullptr};
  torch::Tensor mean_, std_, range_, blur_, static_;  // static_: [kMaxStaticPeaks, 3] x, y, in use
  struct KeepCache {
    std::mutex lock;
    const void* data = nullptr;
    int64_t version = -1, h = 0, w = 0;
    torch::Tensor keep;  // undefined: no static peak in use
  } keep_cache_;
};

class GraphQualityNet : public RankNet {
 public:
  explicit GraphQualityNet(const NetSpec& spec);
  torch::Tensor dense(const torch::Tensor& images) override;
  torch::Tensor scalar(const torch::Tensor& images) override;
  int output_stride() const override { return 32; }
  const NetSpec& spec() const override { return spec_; }
  TfjsGraphNet& trunk() { return trunk_; }
  // The pooled statistics [N, 2 * sum of tapped channels] the head sees.
  torch::Tensor features(const torch::Tensor& images);

 private:
  NetSpec spec_;
  TfjsGraphNet trunk_{nullptr};
  torch::nn::BatchNorm1d norm_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Dropout drop_{nullptr};
  torch::Tensor mean_, std_;
};

// Sets spec.graph to the trunk topology of spec.arch (for spec.task) cut out of `graph`
// (graph architectures only; others are left as they are).
void attach_graph_topology(NetSpec& spec, const TfjsGraph& graph);

}  // namespace rv
