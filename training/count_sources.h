#pragma once
// Data flags of the counting subcommands (train-count, adapt, eval-count):
// labelled sets (--shanghaitech, --points + --images), unlabelled sources
// (--unlabeled-video, --unlabeled-images) and ROI polygons.
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "engine/engines.h"
#include "train/count_data.h"

namespace rv::cli {

std::vector<FlagSpec> labelled_flags();
std::vector<FlagSpec> density_flags();
DensityTargetOptions density_from(const Args& args);
// Every labelled image of --shanghaitech and --points/--images, resized by scale.
std::vector<LabelledImage> load_labelled(const Args& args, double scale, const DensityTargetOptions& density);

std::vector<FlagSpec> unlabelled_flags();
std::vector<cv::Mat> load_unlabelled(const Args& args, double scale);

// "x,y x,y x,y ..." (also ';' between points): normalised 0..1 coordinates,
// at least 3 points. rv::InputError naming the flag otherwise.
std::vector<std::pair<double, double>> parse_roi(const std::string& text, const std::string& flag);
// Bounding box of a normalised polygon in a frame of `size` (whole frame when empty).
cv::Rect roi_box(const std::vector<std::pair<double, double>>& roi, cv::Size size);
// CV_8U mask (255 inside) of a normalised polygon at `size`.
cv::Mat roi_mask(const std::vector<std::pair<double, double>>& roi, cv::Size size);

// --model FILE or the installed default counting model (rv::InputError naming
// the flag when there is none), and the counting engine for it, at the bundle's
// input scale or at --input-scale X when given (see model_flags()).
std::vector<FlagSpec> model_flags();
std::string counting_model_path(const Args& args);
std::unique_ptr<CrowdCounter> counter_from_flags(const Args& args, const std::string& model, const EngineOptions& options);

}  // namespace rv::cli
