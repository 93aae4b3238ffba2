#pragma once
// A packed 8-bit frame (ImageView) → the network's input tensor, resized the
// way training resizes its images.
#include <torch/torch.h>

#include "engine/image_view.h"

namespace rv {

// Packed frame → float RGB [1,3,H',W'] in 0..1 on `device`, resized by `scale` (1 = as is).
// Throws rv::Error for an empty frame or a stride shorter than a row.
torch::Tensor frame_to_tensor(const ImageView& frame, double scale, const torch::Device& device);

}  // namespace rv
