#include "ranking/nested_crops.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace rv {

namespace {

// Uniform in [0, 1) from the raw 32-bit draw: std::uniform_real_distribution
// is implementation-defined, and a seed must give the same crops everywhere.
double uniform01(std::mt19937& rng) { return static_cast<double>(rng()) / 4294967296.0; }

void check_image_size(cv::Size image) {
  if (image.width < 1 || image.height < 1)
    throw_input_error("nested crops", "empty image (" + std::to_string(image.width) + "x" +
                                          std::to_string(image.height) + ")");
}

}  // namespace

void validate(const NestedCropOptions& o) {
  if (o.k < 2) throw_input_error("nested crops: k", "must be at least 2, got " + std::to_string(o.k));
  if (!(o.s > 0.0 && o.s < 1.0))
    throw_input_error("nested crops: s", "must lie strictly between 0 and 1, got " + std::to_string(o.s));
  if (!(o.r >= 1.0) || !std::isfinite(o.r))
    throw_input_error("nested crops: r", "must be at least 1, got " + std::to_string(o.r));
  if (o.out_size < 1)
    throw_input_error("nested crops: out_size", "must be positive, got " + std::to_string(o.out_size));
}

cv::Rect2d nested_crop_anchor_region(cv::Size image, double r) {
  const double w = image.width / r, h = image.height / r;
  return {(image.width - w) / 2.0, (image.height - h) / 2.0, w, h};
}

std::vector<cv::Rect2d> nested_crop_rects(cv::Size image, const NestedCropOptions& options,
                                          std::mt19937& rng) {
  validate(options);
  check_image_size(image);
  const cv::Rect2d region = nested_crop_anchor_region(image, options.r);
  const double ax = region.x + uniform01(rng) * region.width;
  const double ay = region.y + uniform01(rng) * region.height;
  // Largest square centred at the anchor: half side is the distance to the nearest border.
  double half = std::min({ax, image.width - ax, ay, image.height - ay});
  std::vector<cv::Rect2d> rects;
  rects.reserve(options.k);
  for (int i = 0; i < options.k; ++i) {
    rects.emplace_back(ax - half, ay - half, 2.0 * half, 2.0 * half);
    half *= options.s;
  }
  return rects;
}

cv::Rect nested_crop_pixel_rect(const cv::Rect2d& crop, cv::Size image) {
  check_image_size(image);
  const double cx = crop.x + crop.width / 2.0, cy = crop.y + crop.height / 2.0;
  // The pixel holding the centre; every crop of a set contains it once its
  // half side reaches half a pixel, so falling back to it keeps the nesting.
  const int px = std::clamp(static_cast<int>(std::floor(cx)), 0, image.width - 1);
  const int py = std::clamp(static_cast<int>(std::floor(cy)), 0, image.height - 1);
  int x0 = static_cast<int>(std::lround(crop.x));
  int y0 = static_cast<int>(std::lround(crop.y));
  int x1 = static_cast<int>(std::lround(crop.x + crop.width));
  int y1 = static_cast<int>(std::lround(crop.y + crop.height));
  x0 = std::clamp(x0, 0, image.width);
  y0 = std::clamp(y0, 0, image.height);
  x1 = std::clamp(x1, 0, image.width);
  y1 = std::clamp(y1, 0, image.height);
  if (x1 - x0 < 1) { x0 = px; x1 = px + 1; }
  if (y1 - y0 < 1) { y0 = py; y1 = py + 1; }
  return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<cv::Mat> nested_crops(const cv::Mat& image, const NestedCropOptions& options,
                                  std::mt19937& rng) {
  if (image.empty()) throw_input_error("nested crops", "empty image");
  const auto rects = nested_crop_rects(image.size(), options, rng);
  std::vector<cv::Mat> crops;
  crops.reserve(rects.size());
  const cv::Size out(options.out_size, options.out_size);
  for (const auto& rect : rects) {
    const cv::Mat patch = image(nested_crop_pixel_rect(rect, image.size()));
    cv::Mat resized;
    // Area averaging when shrinking avoids aliasing; bilinear when enlarging.
    const bool shrinking = patch.cols > out.width || patch.rows > out.height;
    cv::resize(patch, resized, out, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    crops.push_back(resized);
  }
  return crops;
}

int nested_crop_rank(int index, int k) {
  if (k < 1 || index < 0 || index >= k)
    throw_input_error("nested crop rank", "index " + std::to_string(index) + " outside a set of " +
                                              std::to_string(k));
  return k - 1 - index;
}

std::vector<int> nested_crop_ranks(int k) {
  std::vector<int> ranks;
  for (int i = 0; i < k; ++i) ranks.push_back(nested_crop_rank(i, k));
  return ranks;
}

}  // namespace rv
