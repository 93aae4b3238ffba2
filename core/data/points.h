#pragma once
// Point annotations (one point per person, usually the head centre).
//
// Coordinate convention used by every reader and by the density maps:
// 0-based pixel-centre coordinates. Pixel (col, row) has its centre at
// (col, row) and covers [col-0.5, col+0.5) × [row-0.5, row+0.5). A point
// belongs to pixel (round(x), round(y)) and is inside an image of size
// W×H exactly when that pixel exists. MATLAB's 1-based coordinates (used by
// ShanghaiTech) become these by subtracting 1.
#include <opencv2/core.hpp>

#include <cmath>
#include <vector>

namespace rv {

using Points = std::vector<cv::Point2f>;

// The pixel a point falls in (round half up).
inline cv::Point point_pixel(const cv::Point2f& p) {
  return {static_cast<int>(std::floor(p.x + 0.5f)), static_cast<int>(std::floor(p.y + 0.5f))};
}

inline bool point_inside(const cv::Point2f& p, cv::Size image) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
  const cv::Point px = point_pixel(p);
  return px.x >= 0 && px.y >= 0 && px.x < image.width && px.y < image.height;
}

inline Points points_inside(const Points& points, cv::Size image) {
  Points kept;
  for (const auto& p : points)
    if (point_inside(p, image)) kept.push_back(p);
  return kept;
}

// Mirrors points left to right in place, as cv::flip(image, dst, 1) mirrors an image `width`
// pixels wide: pixel centre x becomes width - 1 - x.
inline void mirror_points(Points& points, int width) {
  for (auto& p : points) p.x = static_cast<float>(width - 1) - p.x;
}

}  // namespace rv
