#pragma once
// Ranked image sets for counting (paper §5.2, Algorithm 2): k nested square
// crops around one anchor. Every crop lies inside the previous one, so its
// person count is smaller or equal; the largest crop gets the highest rank.
#include <opencv2/core.hpp>

#include <random>
#include <vector>

namespace rv {

struct NestedCropOptions {
  int k = 5;            // crops per set (>= 2)
  double s = 0.75;      // side-length ratio between consecutive crops, 0 < s < 1
  double r = 8.0;       // anchor region = image side lengths / r, centred (>= 1)
  int out_size = 224;   // side of the resized crops handed to the network
};

// Throws rv::InputError naming the offending option when k < 2, s outside
// (0, 1), r < 1 or out_size < 1.
void validate(const NestedCropOptions& options);

// The anchor region: width/r × height/r, centred in the image, same aspect.
cv::Rect2d nested_crop_anchor_region(cv::Size image, double r);

// Algorithm 2, steps 1–3, in continuous pixel coordinates (the image covers
// [0, width) × [0, height)). [0] is the largest square centred at an anchor
// drawn uniformly from the anchor region and contained in the image; [i] has
// side s^i times that of [0] around the same anchor. The anchor is the centre
// of every rect.
std::vector<cv::Rect2d> nested_crop_rects(cv::Size image, const NestedCropOptions& options,
                                          std::mt19937& rng);

// The integer pixel rectangle cut for a continuous crop: edges rounded to the
// nearest pixel boundary (rounding is monotone, so nesting survives), and at
// least the one pixel holding the centre. Always inside the image.
cv::Rect nested_crop_pixel_rect(const cv::Rect2d& crop, cv::Size image);

// Algorithm 2 complete: the k crops cut from `image` (any type cv::resize
// handles) and resized to out_size × out_size, largest first.
std::vector<cv::Mat> nested_crops(const cv::Mat& image, const NestedCropOptions& options,
                                  std::mt19937& rng);

// Rank of crop `index` (0 = largest) in a set of k: k-1-index, so the largest
// crop has the highest rank (the project's ranking convention).
int nested_crop_rank(int index, int k);
std::vector<int> nested_crop_ranks(int k);

}  // namespace rv
