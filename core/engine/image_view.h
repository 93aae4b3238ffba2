#pragma once
// A borrowed, packed 8-bit frame: what a GStreamer buffer map or a cv::Mat
// gives without copying. The engines convert it to the network's input.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rv {

enum class PixelFormat { RGB, BGR, RGBx, BGRx, RGBA, BGRA, xRGB, xBGR, ARGB, ABGR, GRAY8 };

int bytes_per_pixel(PixelFormat format);
std::string to_string(PixelFormat format);

struct ImageView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  size_t stride = 0;  // bytes per row
  PixelFormat format = PixelFormat::RGB;
};

}  // namespace rv
