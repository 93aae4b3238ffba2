#include "train/count_data.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "common/error.h"
#include "data/annotations.h"
#include "data/density_map.h"
#include "data/shanghaitech.h"

namespace rv {

cv::Mat resize_by(const cv::Mat& image, double scale) {
  if (std::abs(scale - 1.0) < 1e-9) return image;
  const int w = std::max(1, static_cast<int>(std::lround(image.cols * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(image.rows * scale)));
  cv::Mat out;
  cv::resize(image, out, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

cv::Mat read_image(const std::string& path) {
  if (!std::filesystem::exists(path)) throw_input_error(path, "no such file");
  cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
  if (m.empty()) throw_input_error(path, "cannot decode the image");
  return m;
}

LabelledImage make_labelled_image(std::string name, const cv::Mat& bgr, const Points& points, double scale,
                                  const DensityTargetOptions& density) {
  LabelledImage li;
  li.name = std::move(name);
  li.image = resize_by(bgr, scale);
  // Scale about pixel centres: original centre x maps to (x + 0.5) * s - 0.5.
  const double sx = static_cast<double>(li.image.cols) / bgr.cols, sy = static_cast<double>(li.image.rows) / bgr.rows;
  Points scaled;
  for (const auto& p : points_inside(points, bgr.size())) {
    scaled.emplace_back(static_cast<float>((p.x + 0.5) * sx - 0.5), static_cast<float>((p.y + 0.5) * sy - 0.5));
  }
  li.points = points_inside(scaled, li.image.size());
  if (density.adaptive) {
    li.sigmas = adaptive_sigmas(li.points, AdaptiveDensityOptions{});
  } else {
    li.sigmas.assign(li.points.size(), std::max(0.5, density.sigma * std::sqrt(sx * sy)));
  }
  return li;
}

std::vector<LabelledImage> load_shanghaitech_set(const std::string& dir, double scale,
                                                 const DensityTargetOptions& density) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw_input_error(dir, "no such directory (--shanghaitech)");
  std::string root = dir;
  if (!fs::exists(fs::path(dir) / "images") && fs::exists(fs::path(dir) / "train_data" / "images"))
    root = (fs::path(dir) / "train_data").string();
  std::vector<LabelledImage> out;
  for (const auto& item : list_shanghaitech(root)) {
    const auto ann = read_shanghaitech_mat(item.annotation_path);
    out.push_back(make_labelled_image(fs::path(item.image_path).filename().string(), read_image(item.image_path),
                                      ann.points, scale, density));
  }
  return out;
}

std::vector<LabelledImage> load_points_set(const std::string& points_file, const std::string& images_dir,
                                           double scale, const DensityTargetOptions& density) {
  namespace fs = std::filesystem;
  if (!fs::exists(points_file)) throw_input_error(points_file, "no such file (--points)");
  if (images_dir.empty()) throw InputError("--points " + points_file + ": needs --images DIR with the images");
  if (!fs::is_directory(images_dir)) throw_input_error(images_dir, "no such directory (--images)");
  std::vector<LabelledImage> out;
  for (const auto& a : read_points(points_file)) {
    if (a.image.empty()) throw_input_error(points_file, "entries need an \"image\" name to find the image file");
    const std::string path = (fs::path(images_dir) / a.image).string();
    if (!fs::exists(path)) throw_input_error(path, "image named in " + points_file + " does not exist");
    out.push_back(make_labelled_image(a.image, read_image(path), a.points, scale, density));
  }
  if (out.empty()) throw_input_error(points_file, "no annotated images");
  return out;
}

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

std::vector<cv::Mat> load_frames(const std::string& path, const FrameRange& range, long max_frames, double scale,
                                 std::vector<long>* indices) {
  auto source = FrameSource::open(path, range);
  // Evenly spread: with a known length pick a stride; otherwise keep every frame, then thin.
  std::vector<cv::Mat> frames;
  std::vector<long> idx;
  cv::Mat frame;
  long index = 0;
  long total = source->total_frames();
  long first = range.first, end = range.end < 0 ? total : std::min(range.end, total > 0 ? total : range.end);
  long available = end > first ? (end - first + range.stride - 1) / range.stride : 0;
  long step = (available > 0 && max_frames > 0 && available > max_frames) ? available / max_frames : 1;
  long n = 0;
  while (source->next(frame, index)) {
    if (n++ % step == 0) {
      frames.push_back(resize_by(frame, scale).clone());
      idx.push_back(index);
    }
  }
  if (frames.empty()) throw_input_error(path, "no frames in the requested range");
  if (max_frames > 0 && static_cast<long>(frames.size()) > max_frames) {
    std::vector<cv::Mat> thin;
    std::vector<long> thin_idx;
    for (long i = 0; i < max_frames; ++i) {
      const size_t k = static_cast<size_t>(i * static_cast<double>(frames.size()) / max_frames);
      thin.push_back(frames[k]);
      thin_idx.push_back(idx[k]);
    }
    frames.swap(thin);
    idx.swap(thin_idx);
  }
  if (indices) *indices = idx;
  return frames;
}

std::vector<cv::Mat> load_image_folder(const std::string& dir, long max_images, double scale) {
  if (!std::filesystem::is_directory(dir)) throw_input_error(dir, "no such directory");
  std::vector<cv::Mat> out;
  for (const auto& f : list_image_files(dir)) {
    if (max_images > 0 && static_cast<long>(out.size()) >= max_images) break;
    out.push_back(resize_by(read_image(f), scale));
  }
  if (out.empty()) throw_input_error(dir, "holds no images");
  return out;
}

}  // namespace rv
