#pragma once
// Eq. 15 for one unlabeled crowd image: nested crop sets (Algorithm 2) give the
// ranked versions h(z; φ), the network scores every crop once, and K ordered
// pairs of crops from the same set are checked.
#include <opencv2/core.hpp>

#include <cstdint>

#include "model/network.h"
#include "ranking/nested_crops.h"

namespace rv {

struct ImageCertaintyOptions {
  NestedCropOptions crops;  // k, s, r and the network input size
  int64_t pairs = 100;      // K (the paper uses 100)
  int64_t batch_size = 25;  // crops per forward pass
};

// Draws ceil(K / (k(k−1)/2)) nested crop sets from `bgr` (8-bit BGR or gray)
// with a generator seeded by `seed`, runs `net` once per crop without
// gradients, samples K ordered pairs and returns C in [0, 1]. The network is
// used as it is: put it in eval() mode first when it has batch norm.
// Same image, network and seed → same result.
double certainty_of_image(RankNet& net, const cv::Mat& bgr, const ImageCertaintyOptions& options, uint32_t seed);

}  // namespace rv
