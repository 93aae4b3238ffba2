#include "data/roi.h"

#include <cmath>
#include <sstream>

#include "common/error.h"
#include "common/polygon.h"

namespace rv {

RoiPolygon parse_roi(const std::string& text, const std::string& what) {
  RoiPolygon roi;
  try {
    roi = parse_polygon(text, what + " '" + text + "'", /*allow_rect=*/false);
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " (expected points 'x,y x,y x,y ...', normalised 0..1)");
  }
  for (const auto& [x, y] : roi)
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
      throw InputError(what + " '" + text + "': coordinates must be normalised to 0..1");
  return roi;
}

cv::Rect roi_box(const RoiPolygon& roi, cv::Size size) {
  if (roi.empty()) return {0, 0, size.width, size.height};
  double x0 = 1, y0 = 1, x1 = 0, y1 = 0;
  for (const auto& [x, y] : roi) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  cv::Rect r(static_cast<int>(std::floor(x0 * size.width)), static_cast<int>(std::floor(y0 * size.height)), 0, 0);
  r.width = std::max(1, static_cast<int>(std::ceil(x1 * size.width)) - r.x);
  r.height = std::max(1, static_cast<int>(std::ceil(y1 * size.height)) - r.y);
  return r & cv::Rect(0, 0, size.width, size.height);
}

// The shared region rule (common/polygon.h): a pixel is inside when its centre is.
cv::Mat roi_mask(const RoiPolygon& roi, cv::Size size) {
  if (roi.empty()) return cv::Mat(size, CV_8U, cv::Scalar(255));
  const std::vector<float> inside =
      polygon_cell_mask(size.height, size.width, 1.0 / size.width, 1.0 / size.height, roi);
  cv::Mat mask(size, CV_8U);
  for (int i = 0; i < size.height; ++i)
    for (int j = 0; j < size.width; ++j) mask.at<uint8_t>(i, j) = inside[static_cast<size_t>(i) * size.width + j] ? 255 : 0;
  return mask;
}

}  // namespace rv
