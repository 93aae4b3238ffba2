#include "data/lone_walkers.h"

#include <cmath>
#include <string>

#include "common/error.h"
#include "data/temporal_median.h"

namespace rv {
namespace {

// Least-squares line through (bottom, height) of the blobs with `keep` true; false when degenerate.
bool fit_line(const std::vector<cv::Rect>& all, const std::vector<bool>& keep, PersonHeightLine& line) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!keep[i]) continue;
    const double x = all[i].y + all[i].height, y = all[i].height;
    n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  const double den = n * sxx - sx * sx;
  if (n < 10 || !(std::abs(den) > 1e-9)) return false;
  line.slope = (n * sxy - sx * sy) / den;
  line.intercept = (sy - line.slope * sx) / n;
  line.blobs = static_cast<long>(n);
  return true;
}

}  // namespace

PersonHeightLine fit_person_heights(const std::vector<std::vector<cv::Rect>>& blobs_per_frame, int frame_height,
                                    const LoneWalkerOptions& o) {
  std::vector<cv::Rect> all;
  for (const auto& f : blobs_per_frame) all.insert(all.end(), f.begin(), f.end());
  PersonHeightLine line;
  std::vector<bool> keep(all.size(), true);
  bool ok = fit_line(all, keep, line);
  for (int round = 0; ok && round < 3; ++round) {
    for (size_t i = 0; i < all.size(); ++i) {
      const double r = all[i].height / line.height_at(all[i].y + all[i].height);
      keep[i] = r >= o.min_ratio && r <= o.max_ratio;
    }
    ok = fit_line(all, keep, line);
  }
  if (!ok)
    throw InputError("lone walkers: " + std::to_string(all.size()) +
                     " moving blobs in the footage, too few (or too alike) to fit how tall a person is at each row");
  if (!(line.height_at(0) > 0 && line.height_at(frame_height) > 0))
    throw InputError("lone walkers: the fitted person height is not positive across the frame (" +
                     std::to_string(line.slope) + " x bottom + " + std::to_string(line.intercept) +
                     "); the camera does not look down on a ground plane");
  return line;
}

std::vector<cv::Rect> lone_walker_windows(const std::vector<cv::Rect>& blobs, const PersonHeightLine& line,
                                          const cv::Size& frame, const LoneWalkerOptions& o) {
  std::vector<cv::Rect> windows;
  for (size_t i = 0; i < blobs.size(); ++i) {
    const cv::Rect& b = blobs[i];
    const double ratio = b.height / line.height_at(b.y + b.height), aspect = static_cast<double>(b.width) / b.height;
    if (ratio < o.min_ratio || ratio > o.max_ratio || aspect < o.min_aspect || aspect > o.max_aspect) continue;
    if (b.x < o.margin || b.y < o.margin || b.x + b.width > frame.width - o.margin ||
        b.y + b.height > frame.height - o.margin)
      continue;
    const cv::Rect window = grown_box(b, o.window, frame);
    bool alone = true;
    for (size_t j = 0; alone && j < blobs.size(); ++j)
      if (j != i && (window & grown_box(blobs[j], 0.25, frame)).area() > 0) alone = false;
    if (alone) windows.push_back(window);
  }
  return windows;
}

}  // namespace rv
