#pragma once
// The per-pixel median of a fixed camera's frames. Where people keep moving
// it is (nearly) the empty scene: `adapt --median-frame` uses it as a frame
// with a known count (0 unless told otherwise). People who stand still for
// more than half of the frames stay in it, so look at it before trusting it.
#include <opencv2/core.hpp>

#include <vector>

namespace rv {

// Frames of one size and type CV_8UC1/CV_8UC3. For an even number of frames
// the lower of the two middle values is taken (a pixel value that occurs).
// rv::InputError for no frames, or frames of different sizes or types.
cv::Mat temporal_median(const std::vector<cv::Mat>& frames);

// Where a frame of a fixed camera is the empty scene, given its temporal median: pixels whose largest
// colour difference from the median is over `threshold` are what moves; a 3x3 opening and a 9x9 closing
// clean that mask, each blob of at least `min_area` pixels gets its bounding box grown by `grow` of its
// width and height on every side (as eval-count grows person boxes), and everything outside those boxes
// is background. `rankvision motion-boxes` writes the same boxes for eval-count's label-free check, so a
// model trained against this rule is checked by it.
struct MotionMaskOptions {
  int threshold = 30;
  int min_area = 150;
  double grow = 0.25;
};

// The bounding box of each blob of what moves (the rule above, before growing), in the connected-components
// order (top to bottom by first pixel). rv::InputError as static_background_mask.
std::vector<cv::Rect> moving_blobs(const cv::Mat& frame, const cv::Mat& median, const MotionMaskOptions& options = {});

// `box` grown by `grow` of its width and height on every side (outwards to whole pixels), clipped to the frame.
cv::Rect grown_box(const cv::Rect& box, double grow, const cv::Size& frame);

// CV_8U, 255 everywhere but inside the blobs' boxes grown by `grow` (static_background_mask from blobs at hand).
cv::Mat background_mask(const std::vector<cv::Rect>& blobs, const cv::Size& frame, double grow);

// CV_8U, 255 on the background (free of moving things), 0 near what moves. People who stand still are
// in the median and so count as background. rv::InputError when frame and median differ in size or
// type, or are not 8-bit grey or BGR.
cv::Mat static_background_mask(const cv::Mat& frame, const cv::Mat& median, const MotionMaskOptions& options = {});

}  // namespace rv
