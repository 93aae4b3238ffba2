#pragma once
// Data of the counting trainer: labelled images with head points (targets
// are made per patch, at the network's output resolution, so no full-size
// density map is ever kept in memory) and pools of unlabelled frames for the
// ranked nested crops. Everything is stored already resized by the training
// input scale.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "data/frame_source.h"
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

// Reads an image file as 8-bit BGR; rv::InputError naming it when unreadable.
cv::Mat read_image(const std::string& path);

// DIR/images + DIR/ground-truth (also accepts DIR/train_data). Errors name the file.
std::vector<LabelledImage> load_shanghaitech_set(const std::string& dir, double scale,
                                                 const DensityTargetOptions& density);
// A points file (JSON/CSV) whose image names are files in images_dir.
std::vector<LabelledImage> load_points_set(const std::string& points_file, const std::string& images_dir,
                                           double scale, const DensityTargetOptions& density);

// Density target of a square crop of `image` (image coordinates, continuous:
// pixel (c, r) covers [c-0.5, c+0.5)) resized to out_size, summed into
// (out_size/stride)² cells: each person's Gaussian integrated over every cell
// (exact, via the error function), normalised to mass 1 inside the image like
// data/density_map.h. flip mirrors it horizontally. CV_32F.
cv::Mat cell_density_target(const LabelledImage& image, const cv::Rect2d& crop, int out_size, int stride, bool flip);

// Up to max_frames frames of a video or image folder, spread evenly over the
// range (reads the source once), resized by scale. rv::InputError when none.
std::vector<cv::Mat> load_frames(const std::string& path, const FrameRange& range, long max_frames, double scale,
                                 std::vector<long>* indices = nullptr);

// Every image file of a folder (natural order), at most max_images, resized.
std::vector<cv::Mat> load_image_folder(const std::string& dir, long max_images, double scale);

cv::Mat resize_by(const cv::Mat& image, double scale);

}  // namespace rv
