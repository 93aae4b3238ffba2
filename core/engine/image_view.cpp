// Pixel format helpers of image_view.h (bytes per pixel, names).
#include "engine/image_view.h"

namespace rv {

int bytes_per_pixel(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB:
    case PixelFormat::BGR:
      return 3;
    case PixelFormat::GRAY8:
      return 1;
    default:
      return 4;
  }
}

std::string to_string(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB: return "RGB";
    case PixelFormat::BGR: return "BGR";
    case PixelFormat::RGBx: return "RGBx";
    case PixelFormat::BGRx: return "BGRx";
    case PixelFormat::RGBA: return "RGBA";
    case PixelFormat::BGRA: return "BGRA";
    case PixelFormat::xRGB: return "xRGB";
    case PixelFormat::xBGR: return "xBGR";
    case PixelFormat::ARGB: return "ARGB";
    case PixelFormat::ABGR: return "ABGR";
    case PixelFormat::GRAY8: return "GRAY8";
  }
  return "?";
}

}  // namespace rv
