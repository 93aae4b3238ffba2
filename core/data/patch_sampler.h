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

}  // namespace rv
