#pragma once
// Training-specific data of the counting trainer: density targets made per
// patch, at the network's output resolution, so no full-size density map is
// ever kept in memory. The labelled images (data/labelled_set.h) and the
// generic readers for pools of unlabelled frames (data/image_io.h) live in
// core/data; this header includes both so existing includers keep compiling.
#include <opencv2/core.hpp>

#include "data/image_io.h"
#include "data/labelled_set.h"

namespace rv {

// Density target of a square crop of `image` (image coordinates, continuous:
// pixel (c, r) covers [c-0.5, c+0.5)) resized to out_size, summed into
// (out_size/stride)² cells: each person's Gaussian integrated over every cell
// (exact, via the error function), normalised to mass 1 inside the image like
// data/density_map.h. flip mirrors it horizontally. CV_32F.
cv::Mat cell_density_target(const LabelledImage& image, const cv::Rect2d& crop, int out_size, int stride, bool flip);

}  // namespace rv
