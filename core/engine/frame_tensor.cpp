// frame_to_tensor: packed 8-bit frames to float RGB input tensors. With OpenCV
// the frame is resized as training resizes (cv::resize); without it (GPU-only
// builds) torch's interpolation stands in.
#include "engine/frame_tensor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "common/error.h"
#include "rankvision_config.h"

#if RANKVISION_HAVE_OPENCV
#include <opencv2/imgproc.hpp>
#endif

namespace rv {

namespace {

// Byte offsets of R, G and B inside one pixel.
std::array<int64_t, 3> rgb_offsets(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB:
    case PixelFormat::RGBx:
    case PixelFormat::RGBA: return {0, 1, 2};
    case PixelFormat::BGR:
    case PixelFormat::BGRx:
    case PixelFormat::BGRA: return {2, 1, 0};
    case PixelFormat::xRGB:
    case PixelFormat::ARGB: return {1, 2, 3};
    case PixelFormat::xBGR:
    case PixelFormat::ABGR: return {3, 2, 1};
    case PixelFormat::GRAY8: return {0, 0, 0};
  }
  return {0, 1, 2};
}

void check_frame(const ImageView& f) {
  if (f.data == nullptr || f.width <= 0 || f.height <= 0) throw Error("empty frame");
  if (f.stride < static_cast<size_t>(f.width) * bytes_per_pixel(f.format)) {
    throw Error("frame stride " + std::to_string(f.stride) + " is smaller than a row of " + std::to_string(f.width) +
                " " + to_string(f.format) + " pixels");
  }
}

}  // namespace

torch::Tensor frame_to_tensor(const ImageView& frame, double scale, const torch::Device& device) {
  check_frame(frame);
  const int64_t bpp = bytes_per_pixel(frame.format);
  const bool resize = std::abs(scale - 1.0) > 1e-9;
  const int64_t h = resize ? std::max<int64_t>(1, std::lround(frame.height * scale)) : frame.height;
  const int64_t w = resize ? std::max<int64_t>(1, std::lround(frame.width * scale)) : frame.width;
  const auto off = rgb_offsets(frame.format);
  auto index = torch::tensor({off[0], off[1], off[2]}, torch::kLong);
#if RANKVISION_HAVE_OPENCV
  // Resize the 8-bit frame exactly as training does (core/data/image_io.cpp resize_by: cv::resize,
  // INTER_AREA down, INTER_LINEAR up), so a model sees the same pixels in the element as in training.
  const cv::Mat view(static_cast<int>(frame.height), static_cast<int>(frame.width),
                     CV_8UC(static_cast<int>(bpp)), const_cast<uint8_t*>(frame.data), frame.stride);
  cv::Mat scaled = view;
  if (resize) {
    cv::resize(view, scaled, cv::Size(static_cast<int>(w), static_cast<int>(h)), 0, 0,
               scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  auto raw = torch::from_blob(scaled.data, {h, w, bpp}, {static_cast<int64_t>(scaled.step[0]), bpp, 1}, torch::kUInt8);
  const bool resize_tensor = false;
#else
  auto raw = torch::from_blob(const_cast<uint8_t*>(frame.data), {frame.height, frame.width, bpp},
                              {static_cast<int64_t>(frame.stride), bpp, 1}, torch::kUInt8);
  const bool resize_tensor = resize;
#endif
  // [H,W,3] uint8 → device → [1,3,H,W] float 0..1. index_select copies, so neither the frame nor a
  // resized copy of it is referenced afterwards.
  auto rgb = raw.index_select(2, index).to(device).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat).div_(255.0);
  if (resize_tensor) {
    // Without OpenCV (GPU-only builds) torch's area mode is the nearest match to training's INTER_AREA;
    // it differs slightly at non-integer scales.
    namespace F = torch::nn::functional;
    auto opts = F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w});
    if (scale < 1.0) {
      opts.mode(torch::kArea);
    } else {
      opts.mode(torch::kBilinear).align_corners(false);
    }
    rgb = F::interpolate(rgb, opts);
  }
  return rgb.contiguous();
}

}  // namespace rv
