#include "data/patch_sampler.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "common/error.h"
#include "data/density_map.h"

namespace rv {

namespace {

// Portable uniform integer in [lo, hi]: std::uniform_int_distribution differs
// between standard libraries and a seed must give the same patches everywhere.
int draw(std::mt19937& rng, int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>((static_cast<uint64_t>(rng()) * span) >> 32);
}

void validate(const PatchOptions& o) {
  if (o.min_size < 1) throw_input_error("patch min_size", "must be positive, got " + std::to_string(o.min_size));
  if (o.max_size < o.min_size)
    throw_input_error("patch max_size", std::to_string(o.max_size) + " is below min_size " + std::to_string(o.min_size));
  if (o.out_size < 1) throw_input_error("patch out_size", "must be positive, got " + std::to_string(o.out_size));
}

}  // namespace

cv::Rect sample_patch_rect(cv::Size image, const PatchOptions& o, std::mt19937& rng) {
  validate(o);
  if (image.width < 1 || image.height < 1) throw_input_error("patch sampling", "empty image");
  const int shorter = std::min(image.width, image.height);
  const int hi = std::min(o.max_size, shorter);
  const int lo = std::min(o.min_size, hi);
  const int side = draw(rng, lo, hi);
  const int x = draw(rng, 0, image.width - side);
  const int y = draw(rng, 0, image.height - side);
  return {x, y, side, side};
}

Points crop_points(const Points& points, const cv::Rect& crop, int out_size) {
  // Pixel centres map to pixel centres: patch pixel i covers crop pixels
  // [i·f, (i+1)·f) with f = side/out, so centre c → (c - x + 0.5)/f - 0.5.
  const double scale = static_cast<double>(out_size) / crop.width;
  Points out;
  for (const auto& p : points) {
    if (!point_inside(cv::Point2f(p.x - crop.x, p.y - crop.y), crop.size())) continue;
    out.emplace_back(static_cast<float>((p.x - crop.x + 0.5) * scale - 0.5),
                     static_cast<float>((p.y - crop.y + 0.5) * scale - 0.5));
  }
  return out;
}

LabelledPatch sample_labelled_patch(const cv::Mat& image, const Points& points, const cv::Mat& density,
                                    const PatchOptions& o, std::mt19937& rng) {
  if (image.empty()) throw_input_error("patch sampling", "empty image");
  if (density.size() != image.size() || density.type() != CV_32F)
    throw_input_error("patch sampling", "density map must be CV_32F and the image's size");
  LabelledPatch patch;
  patch.source = sample_patch_rect(image.size(), o, rng);
  const cv::Size out(o.out_size, o.out_size);
  const bool shrinking = patch.source.width > o.out_size;
  cv::resize(image(patch.source), patch.image, out, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  patch.density = resize_density(density(patch.source), out);
  patch.points = crop_points(points, patch.source, o.out_size);
  return patch;
}

ColorJitter draw_color_jitter(double strength, std::mt19937& rng) {
  if (!(strength >= 0.0 && strength < 1.0))
    throw InputError("colour jitter: strength must be in [0, 1), got " + std::to_string(strength));
  if (strength == 0.0) return {};
  // rng() directly, not std::uniform_real_distribution: the same seed gives the same factors everywhere
  const auto u = [&] { return 1.0 + strength * (2.0 * (rng() / 4294967296.0) - 1.0); };
  ColorJitter j;
  j.saturation = u();
  j.contrast = u();
  j.brightness = u();
  return j;
}

void apply_color_jitter(cv::Mat& image, const ColorJitter& j) {
  if (j.saturation == 1.0 && j.contrast == 1.0 && j.brightness == 1.0) return;
  if (image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1))
    throw InputError("colour jitter: needs an 8-bit BGR or grey image");
  cv::Mat f, grey;
  image.convertTo(f, CV_32F);
  if (image.channels() == 3) {
    cv::cvtColor(f, grey, cv::COLOR_BGR2GRAY);
    cv::Mat grey3;
    cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
    f = grey3 + (f - grey3) * j.saturation;
  } else {
    grey = f;
  }
  const cv::Scalar mean = cv::Scalar::all(cv::mean(grey)[0]);
  f = ((f - mean) * j.contrast + mean) * j.brightness;
  f.convertTo(image, CV_8U);
}

}  // namespace rv
