#include "data/temporal_median.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace rv {

cv::Mat temporal_median(const std::vector<cv::Mat>& frames) {
  if (frames.empty()) throw InputError("temporal median: no frames");
  const cv::Mat& first = frames[0];
  if (first.empty() || (first.type() != CV_8UC1 && first.type() != CV_8UC3))
    throw InputError("temporal median: frames must be 8-bit grey or BGR images");
  for (size_t i = 1; i < frames.size(); ++i) {
    if (frames[i].size() != first.size() || frames[i].type() != first.type())
      throw InputError("temporal median: frame " + std::to_string(i) + " differs in size or type from frame 0");
  }
  const size_t n = frames.size(), mid = (n - 1) / 2;
  const int rows = first.rows, values = first.cols * first.channels();
  cv::Mat out(first.size(), first.type());
  // Row by row: the n values of one pixel channel are gathered and partially
  // sorted with nth_element; extra memory is those n bytes.
  std::vector<uint8_t> column(n);
  for (int r = 0; r < rows; ++r) {
    std::vector<const uint8_t*> src(n);
    for (size_t i = 0; i < n; ++i) src[i] = frames[i].ptr<uint8_t>(r);
    uint8_t* dst = out.ptr<uint8_t>(r);
    for (int v = 0; v < values; ++v) {
      for (size_t i = 0; i < n; ++i) column[i] = src[i][v];
      std::nth_element(column.begin(), column.begin() + static_cast<long>(mid), column.end());
      dst[v] = column[mid];
    }
  }
  return out;
}

std::vector<cv::Rect> moving_blobs(const cv::Mat& frame, const cv::Mat& median, const MotionMaskOptions& o) {
  if (frame.empty() || (frame.type() != CV_8UC1 && frame.type() != CV_8UC3))
    throw InputError("motion mask: the frame must be an 8-bit grey or BGR image");
  if (frame.size() != median.size() || frame.type() != median.type())
    throw InputError("motion mask: the frame and the temporal median differ in size or type");
  cv::Mat diff;
  cv::absdiff(frame, median, diff);
  if (diff.channels() > 1) cv::reduce(diff.reshape(1, diff.rows * diff.cols), diff, 1, cv::REDUCE_MAX);
  cv::Mat moving = (diff.reshape(1, frame.rows) > o.threshold) / 255;
  cv::morphologyEx(moving, moving, cv::MORPH_OPEN, cv::Mat::ones(3, 3, CV_8U));
  cv::morphologyEx(moving, moving, cv::MORPH_CLOSE, cv::Mat::ones(9, 9, CV_8U));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(moving, labels, stats, centroids, 8);
  std::vector<cv::Rect> blobs;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < o.min_area) continue;
    blobs.emplace_back(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
  }
  return blobs;
}

cv::Rect grown_box(const cv::Rect& box, double grow, const cv::Size& frame) {
  const int x0 = static_cast<int>(std::floor(box.x - grow * box.width));
  const int y0 = static_cast<int>(std::floor(box.y - grow * box.height));
  const int x1 = static_cast<int>(std::ceil(box.x + (1 + grow) * box.width));
  const int y1 = static_cast<int>(std::ceil(box.y + (1 + grow) * box.height));
  return cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect(0, 0, frame.width, frame.height);
}

cv::Mat background_mask(const std::vector<cv::Rect>& blobs, const cv::Size& frame, double grow) {
  cv::Mat background(frame, CV_8U, cv::Scalar(255));
  for (const cv::Rect& blob : blobs) background(grown_box(blob, grow, frame)).setTo(0);
  return background;
}

cv::Mat static_background_mask(const cv::Mat& frame, const cv::Mat& median, const MotionMaskOptions& o) {
  return background_mask(moving_blobs(frame, median, o), frame.size(), o.grow);
}

}  // namespace rv
