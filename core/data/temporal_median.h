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

}  // namespace rv
