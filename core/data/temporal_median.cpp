#include "data/temporal_median.h"

#include <algorithm>
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

}  // namespace rv
