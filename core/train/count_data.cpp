// cell_density_target: exact per-cell density targets of training patches.
#include "train/count_data.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace rv {

namespace {
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
}  // namespace

cv::Mat cell_density_target(const LabelledImage& li, const cv::Rect2d& crop, int out_size, int stride, bool flip) {
  const int g = (out_size + stride - 1) / stride;
  cv::Mat out = cv::Mat::zeros(g, g, CV_32F);
  const double cell_w = crop.width * stride / out_size, cell_h = crop.height * stride / out_size;
  const double left = crop.x - 0.5, top = crop.y - 0.5;  // continuous edge of the crop
  const double W = li.image.cols, H = li.image.rows;
  std::vector<double> mx(g), my(g);
  for (size_t i = 0; i < li.points.size(); ++i) {
    const double px = li.points[i].x, py = li.points[i].y, s = li.sigmas[i];
    if (px < left - 4 * s || px > left + crop.width + 4 * s || py < top - 4 * s || py > top + crop.height + 4 * s)
      continue;
    const double zx = normal_cdf((W - 0.5 - px) / s) - normal_cdf((-0.5 - px) / s);
    const double zy = normal_cdf((H - 0.5 - py) / s) - normal_cdf((-0.5 - py) / s);
    const double z = zx * zy;
    if (!(z > 1e-12)) continue;
    for (int j = 0; j < g; ++j) {
      // Parts of a cell beyond the image hold no mass (the image ends there).
      const double x0 = std::max(left + j * cell_w, -0.5), x1 = std::min(left + (j + 1) * cell_w, W - 0.5);
      const double y0 = std::max(top + j * cell_h, -0.5), y1 = std::min(top + (j + 1) * cell_h, H - 0.5);
      mx[j] = x1 > x0 ? normal_cdf((x1 - px) / s) - normal_cdf((x0 - px) / s) : 0.0;
      my[j] = y1 > y0 ? normal_cdf((y1 - py) / s) - normal_cdf((y0 - py) / s) : 0.0;
    }
    for (int r = 0; r < g; ++r) {
      if (my[r] <= 0) continue;
      float* row = out.ptr<float>(r);
      for (int c = 0; c < g; ++c) row[c] += static_cast<float>(my[r] * mx[c] / z);
    }
  }
  if (flip) cv::flip(out, out, 1);
  return out;
}

}  // namespace rv
