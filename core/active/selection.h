#pragma once
// The labelling step of Algorithm 1: label the S images of the unlabeled pool
// the network is least certain about.
#include <cstddef>
#include <vector>

namespace rv {

// Indices of the min(S, N) smallest certainties, least certain first; equal
// certainties keep pool order, and where the cut falls inside a group of equal
// certainties the ones taken from it are spread evenly over the pool (for
// frames of a video: not the first few of them). Reproducible. Throws
// rv::InputError when a certainty is NaN.
std::vector<size_t> least_certain(const std::vector<double>& certainty, size_t count);

}  // namespace rv
