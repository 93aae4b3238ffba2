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
  void blend(int x, int y, Rgb colour, float alpha) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0) return;
    (this->*blend_)(x, y, colour, alpha < 1.0f ? alpha : 1.0f);
  }
  void fill_rect(int x, int y, int w, int h, Rgb colour, float alpha);

 private:
  struct Yuv {
    float y, u, v;
  };
  Yuv to_yuv(Rgb c) const;
  // One of these is chosen for the frame's format when the canvas is made.
  void blend_packed(int x, int y, Rgb colour, float alpha);
  void blend_i420(int x, int y, Rgb colour, float alpha);
  void blend_nv12(int x, int y, Rgb colour, float alpha);
  uint8_t* plane(int index, int x, int y) const;

  void (Canvas::*blend_)(int, int, Rgb, float) = &Canvas::blend_packed;

  GstVideoFrame& frame_;
  GstVideoFormat format_;
  int width_;
  int height_;
  // Packed: byte offsets of R, G, B within a pixel, and its size.
  int r_ = 0, g_ = 1, b_ = 2, pixel_ = 3;
  double kr_ = 0.299, kb_ = 0.114;
  bool full_range_ = false;
};

}  // namespace rvgst
