#pragma once
// One self-describing model file: JSON metadata plus weights. An element or a
// CLI needs nothing but this file.
//
// Layout (little endian):
//   "RVBUNDLE" | u32 format version (2) | u64 n | n bytes of UTF-8 JSON
//   | u64 m | m bytes of LibTorch archive (RankNet::save)
//   | u32 CRC-32 (zlib's) of the n + m bytes of JSON and weights
// The checksum is checked before LibTorch reads the weights. Format 1 (the same
// without the checksum) is read only where the caller accepts it
// (LegacyFormat::Accept: `rankvision info --upgrade`).
// TorchScript files made in Python load too, with a sidecar JSON next to them
// (model.pt + model.pt.json or model.json) holding the same metadata object.
#include <nlohmann/json.hpp>

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/network.h"

namespace rv {

struct BundleMeta {
  NetSpec spec;
  int output_stride = 16;
  std::string colour_order = "RGB";  // channel order the network expects (input is float 0..1)
  // Quality: score (0–100, higher is better) = clamp(raw * score_scale + score_offset, 0, 100).
  double score_scale = 1.0;
  double score_offset = 0.0;
  // Quality: the side of the square crops the network was trained on, and
  // which the scorers average over (224 when the file does not say).
  int quality_crop = 224;
  // Per-camera settings found by `rankvision adapt`, applied by the engines:
  // frames are resized by input_scale before inference (counts stay in frame
  // units); roi is a polygon in normalised (0..1) frame coordinates, empty = whole frame.
  double input_scale = 1.0;
  std::vector<std::pair<double, double>> roi;
  // Free-form record of how the model was made: data, recipe command,
  // iterations, metrics, date. Kept verbatim.
  nlohmann::json provenance = nlohmann::json::object();
  // Container format the bundle was read from (not stored in the JSON; 0 = built in memory).
  int format_version = 0;

  nlohmann::json to_json() const;
  // `source` names the file in error messages.
  static BundleMeta from_json(const nlohmann::json& j, const std::string& source);
  // Maps a raw network output to the 0–100 score.
  double quality_score(double raw) const;
};

struct ModelBundle {
  BundleMeta meta;
  RankNetPtr net;
  std::string path;  // where it was loaded from (empty if built in memory)
};

// Writes atomically: a temporary file in the same folder, then rename. The
// network's weights are saved from whatever device they are on.
void save_bundle(const std::string& path, const ModelBundle& bundle);

enum class LegacyFormat { Refuse, Accept };

// Loads onto the CPU in eval mode. Throws rv::InputError naming `path` and the
// reason: missing, not a bundle, truncated, checksum mismatch, corrupt metadata,
// weights that do not fit the architecture, (with `expected`) a model for the
// other task, or a format-1 file without a checksum unless `legacy` accepts it.
ModelBundle load_bundle(const std::string& path, std::optional<Task> expected = std::nullopt,
                        LegacyFormat legacy = LegacyFormat::Refuse);

// Only the metadata (cheap; for `rankvision info`; format 1 accepted, nothing checksummed).
BundleMeta read_bundle_meta(const std::string& path);

// Weight averaging ("model soup"): a copy of `a` whose every floating-point
// parameter and buffer is (1 - t)·a + t·b. Meant for two models fine-tuned from
// the same start (each a point of one basin). Throws rv::InputError naming the
// files when task, architecture, width, batch norm, output stride, density
// scale or any tensor shape differ, or t is outside [0, 1].
// keep_first_convs > 0 blends layer-wise: the parameters of the trunk's first
// keep_first_convs convolutions (trunk_conv_modules, as freeze_trunk_layers
// counts them) keep a's weights; the rest is blended.
// Refused for batch-norm networks (their running statistics are not ordered with
// the convolutions) and past the trunk's last convolution.
ModelBundle blend_bundles(const ModelBundle& a, const ModelBundle& b, double t, int keep_first_convs = 0);

// The factor k for which scale_bundle_counts(with, k) gives `with` the density scale of `to`:
// 1 when the two are equal up to 1e-6 of the larger (as blend_bundles requires) or either is not
// a counting model, else with's scale / to's.
double density_scale_match(const ModelBundle& to, const ModelBundle& with);

// Copies every parameter and buffer of `from` whose name `take` accepts into the tensor of that name
// in `to` (no gradient). rv::InputError "<where>: NAME is missing or has another shape" when `from`
// lacks one or its shape differs. Returns how many were copied.
long copy_named_tensors(torch::nn::Module& from, torch::nn::Module& to,
                        const std::function<bool(const std::string&)>& take, const std::string& where);

// Multiplies every count of a counting model by k (k > 0): the network divides
// its density head by density_scale, so density_scale becomes density_scale / k
// and the weights are copied into a network built for it (on the CPU, eval
// mode). Throws rv::InputError for a quality model or k outside (0, 1e3].
void scale_bundle_counts(ModelBundle& bundle, double k);

// A fresh network plus matching metadata for a spec.
ModelBundle make_bundle(const NetSpec& spec);

// A fresh network of `spec` whose trunk comes from a pretrained TF.js graph
// (model.json: PoseNet's MobileNetV1 for posenet_mnv1; for graph architectures
// the trunk's topology is cut out of it into spec.graph first). Writes
// "imported N ... from PATH" to `log` and records the path as provenance
// "init". Throws rv::InputError naming the file or the mismatch.
ModelBundle make_bundle_from_graph(NetSpec spec, const std::string& model_json, std::ostream& log);

// The installed default model file for a task (RANKVISION_MODEL_DIR env
// overrides the install dir; a source checkout's models/ is tried last).
// Returns an empty string when none exists.
std::string default_model_path(Task task);

}  // namespace rv
