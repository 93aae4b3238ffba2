#pragma once
// Data flags of the counting subcommands (train-count, adapt, eval-count):
// labelled sets (--shanghaitech, --points + --images), unlabelled sources
// (--unlabeled-video, --unlabeled-images); ROI polygons are in core (data/roi.h).
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "data/labelled_set.h"
#include "data/roi.h"
#include "engine/engines.h"

namespace rv::cli {

std::vector<FlagSpec> labelled_flags();
std::vector<FlagSpec> density_flags();
DensityTargetOptions density_from(const Args& args);
// Every labelled image of --shanghaitech and --points/--images, resized by scale.
std::vector<LabelledImage> load_labelled(const Args& args, double scale, const DensityTargetOptions& density);
// The same for any trio of flags (train-count's --extra-shanghaitech / --extra-points / --extra-images):
// appends the sets of shanghaitech_flag, then of points_flag with images_flag (one folder, or one per
// points file), to out. Errors name the flags.
void load_labelled_sets(const Args& args, const std::string& shanghaitech_flag, const std::string& points_flag,
                        const std::string& images_flag, double scale, const DensityTargetOptions& density,
                        std::vector<LabelledImage>& out);

std::vector<FlagSpec> unlabelled_flags();
std::vector<cv::Mat> load_unlabelled(const Args& args, double scale);

// The counting network of --arch / --width / --batch-norm (PoseNet's input
// normalisation for posenet_mnv1).
NetSpec count_spec_from(const Args& args);
// The network to start from: `init` a bundle, a torchvision VGG16 state dict,
// a TF.js MobileNetV1 graph (model.json, posenet_mnv1), or "" for a fresh one.
ModelBundle initial_count_bundle(const std::string& init, const NetSpec& spec);

// --model FILE or the installed default counting model (rv::InputError naming
// the flag when there is none), and the counting engine for it, at the bundle's
// input scale or at --input-scale X when given (see model_flags()).
std::vector<FlagSpec> model_flags();
std::string counting_model_path(const Args& args);
std::unique_ptr<CrowdCounter> counter_from_flags(const Args& args, const std::string& model, const EngineOptions& options);
// One BGR image (of eval-count, heatmap) through the counting engine; a copy when its rows are not contiguous.
CountResult count_bgr(CrowdCounter& counter, const cv::Mat& bgr);

}  // namespace rv::cli
