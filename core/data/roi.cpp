#include "data/roi.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace rv {

RoiPolygon parse_roi(const std::string& text, const std::string& what) {
  std::string t = text;
  for (auto& c : t)
    if (c == ';') c = ' ';
  std::istringstream in(t);
  std::string tok;
  RoiPolygon roi;
  while (in >> tok) {
    const auto comma = tok.find(',');
    double x = NAN, y = NAN;
    try {
      if (comma == std::string::npos) throw 0;
      size_t px = 0, py = 0;
      x = std::stod(tok.substr(0, comma), &px);
      y = std::stod(tok.substr(comma + 1), &py);
      if (px != comma || py != tok.size() - comma - 1) throw 0;
    } catch (...) {
      throw InputError(what + " '" + text + "': expected points 'x,y x,y x,y ...' (normalised 0..1)");
    }
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
      throw InputError(what + " '" + text + "': coordinates must be normalised to 0..1");
    roi.emplace_back(x, y);
  }
  if (roi.size() < 3) throw InputError(what + " '" + text + "': a polygon needs at least 3 points");
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

cv::Mat roi_mask(const RoiPolygon& roi, cv::Size size) {
  if (roi.empty()) return cv::Mat(size, CV_8U, cv::Scalar(255));
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  std::vector<cv::Point> poly;
  for (const auto& [x, y] : roi)
    poly.emplace_back(static_cast<int>(std::lround(x * size.width)), static_cast<int>(std::lround(y * size.height)));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
  return mask;
}

}  // namespace rv
