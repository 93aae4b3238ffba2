#pragma once
// Multi-scale labelled patches (paper §5.3): square patches with a side drawn
// uniformly from [min_size, max_size] (clamped to the image's shorter side),
// at a uniform position, resized to out_size × out_size with their points and
// density map. The density crop is resampled keeping its sum, so the patch's
// count is the mass of the full-image map inside the patch (people cut by the
// patch border count fractionally, as the map says).
#include <opencv2/core.hpp>

#include <random>

#include "data/points.h"

namespace rv {

struct PatchOptions {
  int min_size = 56;
  int max_size = 448;
  int out_size = 224;  // a multiple of the output stride (16) suits DensityNet
};

struct LabelledPatch {
  cv::Mat image;    // out_size × out_size, the input's type
  cv::Mat density;  // out_size × out_size CV_32F, sum = count of the crop
  Points points;    // points inside the crop, in patch coordinates
  cv::Rect source;  // the crop in the input image
};

// Throws rv::InputError for bad options, an empty image, or a density map
// whose size differs from the image.
LabelledPatch sample_labelled_patch(const cv::Mat& image, const Points& points, const cv::Mat& density,
                                    const PatchOptions& options, std::mt19937& rng);

// The crop rectangle alone (what sample_labelled_patch cuts).
cv::Rect sample_patch_rect(cv::Size image, const PatchOptions& options, std::mt19937& rng);

// Maps points in `crop` (image coordinates) to a crop resized to out × out.
Points crop_points(const Points& points, const cv::Rect& crop, int out_size);

// Photometric change of a labelled patch, so a model does not learn one set of cameras' colours and
// exposure: saturation (blend with the grey image), then contrast (about the grey mean), then brightness
// (a gain). 1 everywhere leaves the patch as it is. Its twins are the IQA distortions #17 and #18 in
// ranking/distortions.cpp (private there): those work per level in 8 bits, contrast about the channel mean
// and saturation in YCrCb; this one composes the three in float. The models trained with --color-jitter
// used this one, so it stays apart.
struct ColorJitter {
  double saturation = 1.0, contrast = 1.0, brightness = 1.0;
};

// Each factor uniform in [1 - strength, 1 + strength]; strength 0 draws nothing from rng (the same
// random sequence as without jitter) and gives the identity. Throws rv::InputError outside [0, 1).
ColorJitter draw_color_jitter(double strength, std::mt19937& rng);

// Applies `j` in place to a CV_8UC3 (BGR) or CV_8UC1 image; values saturate at 0 and 255.
void apply_color_jitter(cv::Mat& image, const ColorJitter& j);

}  // namespace rv
