#pragma once
// Ground-truth density maps for counting (CV_32F, one channel). Each person
// inside the image contributes a Gaussian whose mass within the image is
// exactly 1, so the map sums to the number of points inside the image (see
// data/points.h for "inside"); kernels cut by the border are renormalised
// over the part that remains, and points outside are left out.
#include <opencv2/core.hpp>

#include "data/points.h"

namespace rv {

// Gaussians are truncated at this many sigmas.
constexpr double kDensityTruncate = 3.0;

// Fixed sigma (paper §5: 15 px, ShanghaiTech B).
cv::Mat density_map_fixed(cv::Size image, const Points& points, double sigma = 15.0);

// Geometry-adaptive kernels (MCNN, ShanghaiTech A): sigma_i = beta × mean
// distance from point i to its k nearest neighbours (among the points inside
// the image). With fewer than k neighbours the available ones are averaged;
// a lone point gets `lone_sigma`. sigma is kept >= min_sigma (coincident
// points would otherwise give a zero-width kernel).
struct AdaptiveDensityOptions {
  int k = 3;
  double beta = 0.3;
  double lone_sigma = 15.0;
  double min_sigma = 1.0;
};
cv::Mat density_map_adaptive(cv::Size image, const Points& points, const AdaptiveDensityOptions& options = {});

// Per-point sigmas of the adaptive map (same order as points_inside()).
std::vector<double> adaptive_sigmas(const Points& inside, const AdaptiveDensityOptions& options);

// Sum pooling by `stride`: out(r, c) = sum of the stride×stride cell. The
// output is ceil(H/stride) × ceil(W/stride); partial border cells keep their
// mass, so the total is preserved. (Training crops are multiples of the
// network's output stride, where this equals the network's output size.)
cv::Mat sum_pool(const cv::Mat& density, int stride);

// Resamples a density map to `size` keeping its total: area/bilinear
// resampling then a rescale so the sums match (a map summing to 0 stays 0).
cv::Mat resize_density(const cv::Mat& density, cv::Size size);

}  // namespace rv
