// Labelled counting images and the readers of labelled sets (ShanghaiTech, point files).
#include "data/labelled_set.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include "common/error.h"
#include "data/annotations.h"
#include "data/density_map.h"
#include "data/image_io.h"
#include "data/shanghaitech.h"

namespace rv {

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

}  // namespace rv
