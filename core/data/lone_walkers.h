#pragma once
// Lone walkers of a fixed camera: moving blobs (data/temporal_median.h) that are one person each,
// told apart by the camera's own perspective. On a fixed camera a walking person's box height grows
// with how low its feet are in the frame, close to linearly on a flat ground; a line fitted to the
// heights of the footage's blobs (the bulk are single walkers) gives the height a person has at each
// row. A blob is a lone walker when its height is within [min_ratio, max_ratio] of that line, its
// width is a walker's (width/height in [min_aspect, max_aspect]), it keeps `margin` px off the frame's
// edges (not cut by them), and no other blob comes near it (the window of it below meets no other
// blob's box grown by a quarter). Each then holds one person: `adapt --motion-singles` asks the
// density inside its window to sum to 1, which tells the network how much density one person at
// that distance carries. Pairs that walk in step, one behind the other, pass as one: a few wrong
// labels among many right ones.
#include <opencv2/core.hpp>

#include <vector>

namespace rv {

// height = slope · bottom + intercept (pixels of the full frame).
struct PersonHeightLine {
  double slope = 0;
  double intercept = 0;
  long blobs = 0;  // blobs the final fit used
  double height_at(double bottom) const { return slope * bottom + intercept; }
};

struct LoneWalkerOptions {
  double min_ratio = 0.8, max_ratio = 1.25;   // height against the line
  double min_aspect = 0.25, max_aspect = 0.6; // width / height
  int margin = 4;                             // px off the frame's edges
  double window = 0.5;                        // the window: the box grown by this share of its size on every side
};

// Least squares of height on bottom row over all blobs, then three refits on the blobs within
// [min_ratio, max_ratio] of the previous line. rv::InputError when fewer than 10 blobs are left or the
// line is not positive across the frame (not a ground-plane view: no lone walkers can be told apart).
PersonHeightLine fit_person_heights(const std::vector<std::vector<cv::Rect>>& blobs_per_frame, int frame_height,
                                    const LoneWalkerOptions& options = {});

// The windows (clipped to the frame) of the lone walkers among one frame's blobs.
std::vector<cv::Rect> lone_walker_windows(const std::vector<cv::Rect>& blobs, const PersonHeightLine& line,
                                          const cv::Size& frame, const LoneWalkerOptions& options = {});

}  // namespace rv
