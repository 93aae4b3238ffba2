#include "data/density_map.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace rv {

namespace {

// Adds one Gaussian centred at p, normalised over its part inside the map.
void splat(cv::Mat& map, const cv::Point2f& p, double sigma) {
  const int radius = std::max(1, static_cast<int>(std::ceil(kDensityTruncate * sigma)));
  const cv::Point c = point_pixel(p);
  const int x0 = std::max(0, c.x - radius), x1 = std::min(map.cols - 1, c.x + radius);
  const int y0 = std::max(0, c.y - radius), y1 = std::min(map.rows - 1, c.y + radius);
  // Separable: weights per column and per row, evaluated at pixel centres.
  std::vector<double> wx(static_cast<size_t>(x1 - x0 + 1)), wy(static_cast<size_t>(y1 - y0 + 1));
  const double inv = 1.0 / (2.0 * sigma * sigma);
  double sx = 0, sy = 0;
  for (int x = x0; x <= x1; ++x) sx += wx[static_cast<size_t>(x - x0)] = std::exp(-(x - p.x) * (x - p.x) * inv);
  for (int y = y0; y <= y1; ++y) sy += wy[static_cast<size_t>(y - y0)] = std::exp(-(y - p.y) * (y - p.y) * inv);
  const double norm = sx * sy;
  if (!(norm > 0)) {  // sigma far below a pixel: all mass in the point's pixel
    map.at<float>(c.y, c.x) += 1.0f;
    return;
  }
  for (int y = y0; y <= y1; ++y) {
    float* row = map.ptr<float>(y);
    const double fy = wy[static_cast<size_t>(y - y0)] / norm;
    for (int x = x0; x <= x1; ++x) row[x] += static_cast<float>(fy * wx[static_cast<size_t>(x - x0)]);
  }
}

void check_size(cv::Size image, const char* what) {
  if (image.width < 1 || image.height < 1)
    throw_input_error(what, "empty image size " + std::to_string(image.width) + "x" + std::to_string(image.height));
}

}  // namespace

cv::Mat density_map_fixed(cv::Size image, const Points& points, double sigma) {
  check_size(image, "density map");
  if (!(sigma > 0) || !std::isfinite(sigma)) throw_input_error("density map sigma", "must be positive, got " + std::to_string(sigma));
  cv::Mat map = cv::Mat::zeros(image, CV_32F);
  for (const auto& p : points)
    if (point_inside(p, image)) splat(map, p, sigma);
  return map;
}

std::vector<double> adaptive_sigmas(const Points& inside, const AdaptiveDensityOptions& o) {
  std::vector<double> sigmas(inside.size(), o.lone_sigma);
  std::vector<double> d;
  for (size_t i = 0; i < inside.size(); ++i) {
    d.clear();
    for (size_t j = 0; j < inside.size(); ++j)
      if (j != i) d.push_back(std::hypot(inside[i].x - inside[j].x, inside[i].y - inside[j].y));
    if (d.empty()) continue;
    const size_t k = std::min(static_cast<size_t>(o.k), d.size());
    std::partial_sort(d.begin(), d.begin() + static_cast<long>(k), d.end());
    double mean = 0;
    for (size_t j = 0; j < k; ++j) mean += d[j];
    sigmas[i] = std::max(o.min_sigma, o.beta * mean / static_cast<double>(k));
  }
  return sigmas;
}

cv::Mat density_map_adaptive(cv::Size image, const Points& points, const AdaptiveDensityOptions& o) {
  check_size(image, "density map");
  if (o.k < 1) throw_input_error("adaptive density k", "must be at least 1");
  if (!(o.beta > 0) || !(o.lone_sigma > 0) || !(o.min_sigma > 0))
    throw_input_error("adaptive density options", "beta, lone_sigma and min_sigma must be positive");
  const Points inside = points_inside(points, image);
  const auto sigmas = adaptive_sigmas(inside, o);
  cv::Mat map = cv::Mat::zeros(image, CV_32F);
  for (size_t i = 0; i < inside.size(); ++i) splat(map, inside[i], sigmas[i]);
  return map;
}

cv::Mat sum_pool(const cv::Mat& density, int stride) {
  if (density.empty() || density.type() != CV_32F) throw_input_error("sum_pool", "needs a non-empty CV_32F map");
  if (stride < 1) throw_input_error("sum_pool stride", "must be positive, got " + std::to_string(stride));
  const int h = (density.rows + stride - 1) / stride, w = (density.cols + stride - 1) / stride;
  cv::Mat out = cv::Mat::zeros(h, w, CV_32F);
  for (int y = 0; y < density.rows; ++y) {
    const float* in = density.ptr<float>(y);
    float* o = out.ptr<float>(y / stride);
    for (int x = 0; x < density.cols; ++x) o[x / stride] += in[x];
  }
  return out;
}

cv::Mat resize_density(const cv::Mat& density, cv::Size size) {
  if (density.empty() || density.type() != CV_32F) throw_input_error("resize_density", "needs a non-empty CV_32F map");
  if (size.width < 1 || size.height < 1) throw_input_error("resize_density", "empty target size");
  cv::Mat out;
  const bool shrinking = size.width < density.cols || size.height < density.rows;
  cv::resize(density, out, size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  const double before = cv::sum(density)[0], after = cv::sum(out)[0];
  if (after != 0.0) out *= before / after;
  return out;
}

}  // namespace rv
