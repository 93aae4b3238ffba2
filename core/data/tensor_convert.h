#pragma once
// cv::Mat ↔ torch::Tensor for the networks: images become float RGB
// [N, 3, H, W] in 0..1 (the bundle's normalisation is applied by the model
// side), density maps become [N, 1, h, w].
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <vector>

namespace rv {

// One 8-bit BGR image (CV_8UC3; CV_8UC1 is replicated to 3 channels) →
// [1, 3, H, W] float RGB in 0..1. Throws rv::InputError for other types.
torch::Tensor image_to_tensor(const cv::Mat& bgr8);

// A batch of images of one size → [N, 3, H, W]. Throws rv::InputError for an
// empty batch or mixed sizes (naming the first image that differs).
torch::Tensor images_to_tensor(const std::vector<cv::Mat>& bgr8);

// CV_32F maps of one size → [N, 1, h, w] float (values unchanged).
torch::Tensor densities_to_tensor(const std::vector<cv::Mat>& maps);

// A CV_8U mask (non-zero = counted) of any size → [rows, cols] float of 0 and 1 at a map's grid
// (nearest-neighbour resize), on the CPU.
torch::Tensor mask_to_grid(const cv::Mat& mask8, int64_t rows, int64_t cols);

// [3, H, W] or [1, 3, H, W] float RGB 0..1 → CV_8UC3 BGR (for saving/viewing).
cv::Mat tensor_to_image(const torch::Tensor& rgb);

// [h, w], [1, h, w] or [1, 1, h, w] → CV_32F map.
cv::Mat tensor_to_density(const torch::Tensor& map);

}  // namespace rv
