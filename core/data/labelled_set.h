#pragma once
// Labelled counting images: an image with its head points and one Gaussian
// sigma per point, stored already resized by the input scale, and the readers
// of labelled sets (ShanghaiTech folders, point files with an image folder).
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "data/points.h"

namespace rv {

struct DensityTargetOptions {
  bool adaptive = false;  // geometry-adaptive sigmas (ShanghaiTech A) instead of a fixed sigma
  double sigma = 15.0;    // fixed sigma in pixels of the ORIGINAL image (scaled with the image)
};

struct LabelledImage {
  std::string name;
  cv::Mat image;               // 8-bit BGR, resized by the input scale
  Points points;               // inside the image, in its (scaled) coordinates
  std::vector<double> sigmas;  // one Gaussian sigma per point (scaled pixels)
  double count() const { return static_cast<double>(points.size()); }
};

// Resizes image and points by `scale` and computes the sigmas.
LabelledImage make_labelled_image(std::string name, const cv::Mat& bgr, const Points& points, double scale,
                                  const DensityTargetOptions& density);

// DIR/images + DIR/ground-truth (also accepts DIR/train_data). Errors name the file.
std::vector<LabelledImage> load_shanghaitech_set(const std::string& dir, double scale,
                                                 const DensityTargetOptions& density);
// A points file (JSON/CSV) whose image names are files in images_dir.
std::vector<LabelledImage> load_points_set(const std::string& points_file, const std::string& images_dir,
                                           double scale, const DensityTargetOptions& density);

}  // namespace rv
