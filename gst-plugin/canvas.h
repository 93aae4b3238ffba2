#pragma once
// Alpha blending onto a mapped GstVideoFrame in any format the elements
// accept, so the overlay never needs a conversion round trip. On I420/NV12 the
// colour is blended in Y'CbCr (blending is linear, so this equals blending in
// RGB); chroma is blended once per 2×2 block, at its top-left pixel.
#include <gst/video/video.h>

#include <cstdint>

namespace rvgst {

struct Rgb {
  uint8_t r, g, b;
};

class Canvas {
 public:
  explicit Canvas(GstVideoFrame& frame);
  int width() const { return width_; }
  int height() const { return height_; }
  // alpha in 0..1; pixels outside the frame are ignored.
  void blend(int x, int y, Rgb colour, float alpha);
  void fill_rect(int x, int y, int w, int h, Rgb colour, float alpha);

 private:
  struct Yuv {
    float y, u, v;
  };
  Yuv to_yuv(Rgb c) const;

  GstVideoFrame& frame_;
  GstVideoFormat format_;
  int width_;
  int height_;
  // Packed: byte offsets of R, G, B within a pixel, and its size.
  int r_ = 0, g_ = 1, b_ = 2, pixel_ = 3;
  bool yuv_ = false;
  double kr_ = 0.299, kb_ = 0.114;
  bool full_range_ = false;
};

}  // namespace rvgst
