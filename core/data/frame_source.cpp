#include "data/frame_source.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "common/error.h"

namespace fs = std::filesystem;

namespace rv {

namespace {

bool parse_long(const std::string& s, long& out) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    out = std::stol(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

// Natural order: runs of digits compare by value.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string da = a.substr(i, ie - i), db = b.substr(j, je - j);
      da.erase(0, std::min(da.find_first_not_of('0'), da.size()));
      db.erase(0, std::min(db.find_first_not_of('0'), db.size()));
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;
}

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kExt[] = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pnm"};
  return std::any_of(std::begin(kExt), std::end(kExt), [&](const char* e) { return ext == e; });
}

cv::Mat to_bgr8(const cv::Mat& m) {
  if (m.type() == CV_8UC3) return m;
  cv::Mat out = m;
  if (m.depth() != CV_8U) {
    cv::Mat tmp;
    m.convertTo(tmp, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
    out = tmp;
  }
  if (out.channels() == 1) cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  else if (out.channels() == 4) cv::cvtColor(out, out, cv::COLOR_BGRA2BGR);
  return out;
}

}  // namespace

FrameRange parse_frame_range(const std::string& text, const std::string& what) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3)
    throw_input_error(what, "\"" + text + "\" is not A:B or A:B:S");
  FrameRange r;
  if (!parts[0].empty() && (!parse_long(parts[0], r.first) || r.first < 0))
    throw_input_error(what, "start \"" + parts[0] + "\" is not a non-negative integer");
  if (!parts[1].empty() && (!parse_long(parts[1], r.end) || r.end <= r.first))
    throw_input_error(what, "end \"" + parts[1] + "\" must be an integer greater than the start");
  if (parts.size() == 3 && (!parse_long(parts[2], r.stride) || r.stride < 1))
    throw_input_error(what, "stride \"" + parts[2] + "\" must be a positive integer");
  return r;
}

std::vector<std::string> list_image_files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && is_image_file(entry.path())) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end(), natural_less);
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back((fs::path(dir) / n).string());
  return paths;
}

std::unique_ptr<FrameSource> FrameSource::open(const std::string& path, const FrameRange& range) {
  if (range.first < 0 || range.stride < 1 || (range.end >= 0 && range.end <= range.first))
    throw_input_error(path, "invalid frame range");
  std::unique_ptr<FrameSource> src(new FrameSource());
  src->path_ = path;
  src->range_ = range;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    src->files_ = list_image_files(path);
    if (src->files_.empty()) throw_input_error(path, "folder holds no image files");
    src->total_ = static_cast<long>(src->files_.size());
    if (range.first >= src->total_)
      throw_input_error(path, "frame range starts at " + std::to_string(range.first) + " but the folder has " +
                                  std::to_string(src->total_) + " images");
  } else if (fs::is_regular_file(path, ec)) {
    src->is_video_ = true;
    if (fs::file_size(path, ec) == 0) throw_input_error(path, "empty video file");
    if (!src->capture_.open(path, cv::CAP_ANY) || !src->capture_.isOpened())
      throw_input_error(path, "cannot open video (unsupported or corrupt file)");
    const double n = src->capture_.get(cv::CAP_PROP_FRAME_COUNT);
    src->total_ = n > 0 ? static_cast<long>(n) : 0;
  } else {
    throw_input_error(path, "no such video file or image folder");
  }
  // Read the first frame of the range now, so an empty or unreadable video
  // fails here with its name rather than silently yielding nothing.
  long index = 0;
  cv::Mat first;
  if (!src->next(first, index))
    throw_input_error(path, src->is_video_ ? "no frame could be read in the requested range (empty or corrupt video)"
                                           : "no frame in the requested range");
  src->pending_ = first;
  src->pending_index_ = index;
  return src;
}

bool FrameSource::read_raw(cv::Mat& frame) {
  if (is_video_) {
    if (!capture_.read(frame) || frame.empty()) return false;
    frame = to_bgr8(frame);
  } else {
    if (position_ >= static_cast<long>(files_.size())) return false;
    const std::string& file = files_[static_cast<size_t>(position_)];
    frame = cv::imread(file, cv::IMREAD_COLOR);
    if (frame.empty()) throw_input_error(file, "cannot decode image");
  }
  ++position_;
  return true;
}

bool FrameSource::skip_raw() {
  if (is_video_) {
    if (!capture_.grab()) return false;
  } else if (position_ >= static_cast<long>(files_.size())) {
    return false;
  }
  ++position_;
  return true;
}

bool FrameSource::next(cv::Mat& frame, long& index) {
  if (pending_index_ >= 0) {
    frame = pending_;
    index = pending_index_;
    pending_ = cv::Mat();
    pending_index_ = -1;
    return true;
  }
  // Next wanted index: first, then every stride-th after it.
  long want = range_.first;
  if (position_ > range_.first)
    want = range_.first + ((position_ - range_.first + range_.stride - 1) / range_.stride) * range_.stride;
  if (range_.end >= 0 && want >= range_.end) return false;
  while (position_ < want)
    if (!skip_raw()) return false;
  index = position_;
  return read_raw(frame);
}

}  // namespace rv
