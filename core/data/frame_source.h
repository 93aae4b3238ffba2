#pragma once
// Unlabelled frames for self-supervised ranking: a video file (cv::VideoCapture)
// or a folder of images (sorted by name, numbers compared numerically so
// frame_2 comes before frame_10). Frames are indexed from 0 in reading order.
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rv {

// Which frames to deliver: indices first, first+stride, ... below end
// (end < 0: to the last frame).
struct FrameRange {
  long first = 0;
  long end = -1;
  long stride = 1;
};

// Parses "A:B" (A inclusive, B exclusive, 0-based; either may be empty: ":B",
// "A:", ":"), optionally with a stride "A:B:S". Throws rv::InputError naming
// `what` (e.g. the CLI flag) for malformed text, B <= A or S < 1.
FrameRange parse_frame_range(const std::string& text, const std::string& what = "frame range");

class FrameSource {
 public:
  // A video file or an image folder. Throws rv::InputError naming the path
  // when it does not exist, a video cannot be opened or yields no frame in
  // the range, or a folder holds no images.
  static std::unique_ptr<FrameSource> open(const std::string& path, const FrameRange& range = {});

  // Next frame in the range as 8-bit BGR; false at the end. `index` is its
  // 0-based position in the file/folder. An image in a folder that cannot be
  // decoded throws rv::InputError naming it.
  bool next(cv::Mat& frame, long& index);
  bool next(cv::Mat& frame) {
    long index = 0;
    return next(frame, index);
  }

  const std::string& path() const { return path_; }
  bool is_video() const { return is_video_; }
  // Frames in the file/folder (for a video, as reported by its container; may be 0 if unknown).
  long total_frames() const { return total_; }

 private:
  FrameSource() = default;
  bool read_raw(cv::Mat& frame);  // the frame at position_, then position_++
  bool skip_raw();

  std::string path_;
  bool is_video_ = false;
  FrameRange range_;
  cv::VideoCapture capture_;
  std::vector<std::string> files_;
  long position_ = 0;  // index of the next raw frame
  long total_ = 0;
  cv::Mat pending_;    // first frame, read by open() to catch empty videos
  long pending_index_ = -1;
};

// Image files of a folder in natural order (used by FrameSource).
std::vector<std::string> list_image_files(const std::string& dir);

}  // namespace rv
