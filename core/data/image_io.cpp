// Generic image readers: read_image, resize_by, load_frames, load_image_folder.
#include "data/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "common/error.h"

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
