#pragma once
// Generic image readers: one image file, a folder of images, or frames of a
// video / image folder spread over a range, all as 8-bit BGR and optionally
// resized (cv::resize, INTER_AREA down, INTER_LINEAR up — the engines resize
// frames the same way).
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "data/frame_source.h"

namespace rv {

// Reads an image file as 8-bit BGR; rv::InputError naming it when unreadable.
cv::Mat read_image(const std::string& path);

// Up to max_frames frames of a video or image folder, spread evenly over the
// range (reads the source once), resized by scale. rv::InputError when none.
std::vector<cv::Mat> load_frames(const std::string& path, const FrameRange& range, long max_frames, double scale,
                                 std::vector<long>* indices = nullptr);

// Every image file of a folder (natural order), at most max_images, resized.
std::vector<cv::Mat> load_image_folder(const std::string& dir, long max_images, double scale);

cv::Mat resize_by(const cv::Mat& image, double scale);

}  // namespace rv
