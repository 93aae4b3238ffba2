#include "canvas.h"

#include <algorithm>

namespace rvgst {

namespace {
inline uint8_t mix(uint8_t dst, float src, float alpha) {
  float v = dst + (src - dst) * alpha;
  return static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f));
}
}  // namespace

Canvas::Canvas(GstVideoFrame& frame)
    : frame_(frame),
      format_(GST_VIDEO_FRAME_FORMAT(&frame)),
      width_(GST_VIDEO_FRAME_WIDTH(&frame)),
      height_(GST_VIDEO_FRAME_HEIGHT(&frame)) {
  switch (format_) {
    case GST_VIDEO_FORMAT_RGB: r_ = 0; g_ = 1; b_ = 2; pixel_ = 3; break;
    case GST_VIDEO_FORMAT_BGR: r_ = 2; g_ = 1; b_ = 0; pixel_ = 3; break;
    case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_RGBA: r_ = 0; g_ = 1; b_ = 2; pixel_ = 4; break;
    case GST_VIDEO_FORMAT_BGRx:
    case GST_VIDEO_FORMAT_BGRA: r_ = 2; g_ = 1; b_ = 0; pixel_ = 4; break;
    default: {
      blend_ = format_ == GST_VIDEO_FORMAT_NV12 ? &Canvas::blend_nv12 : &Canvas::blend_i420;
      const GstVideoColorimetry& c = frame.info.colorimetry;
      if (!gst_video_color_matrix_get_Kr_Kb(c.matrix, &kr_, &kb_)) {
        kr_ = 0.299;
        kb_ = 0.114;
      }
      full_range_ = c.range == GST_VIDEO_COLOR_RANGE_0_255;
    }
  }
}

Canvas::Yuv Canvas::to_yuv(Rgb c) const {
  const double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  const double y = kr_ * r + (1 - kr_ - kb_) * g + kb_ * b;
  const double pb = (b - y) / (2 * (1 - kb_));
  const double pr = (r - y) / (2 * (1 - kr_));
  if (full_range_) return {float(255 * y), float(128 + 255 * pb), float(128 + 255 * pr)};
  return {float(16 + 219 * y), float(128 + 224 * pb), float(128 + 224 * pr)};
}

uint8_t* Canvas::plane(int index, int x, int y) const {
  return static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, index)) +
         static_cast<size_t>(y) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, index) + x;
}

void Canvas::blend_packed(int x, int y, Rgb colour, float alpha) {
  uint8_t* p = plane(0, x * pixel_, y);
  p[r_] = mix(p[r_], colour.r, alpha);
  p[g_] = mix(p[g_], colour.g, alpha);
  p[b_] = mix(p[b_], colour.b, alpha);
}

void Canvas::blend_i420(int x, int y, Rgb colour, float alpha) {
  const Yuv c = to_yuv(colour);
  uint8_t* luma = plane(0, x, y);
  *luma = mix(*luma, c.y, alpha);
  if ((x & 1) || (y & 1)) return;
  uint8_t* u = plane(1, x / 2, y / 2);
  uint8_t* v = plane(2, x / 2, y / 2);
  *u = mix(*u, c.u, alpha);
  *v = mix(*v, c.v, alpha);
}

void Canvas::blend_nv12(int x, int y, Rgb colour, float alpha) {
  const Yuv c = to_yuv(colour);
  uint8_t* luma = plane(0, x, y);
  *luma = mix(*luma, c.y, alpha);
  if ((x & 1) || (y & 1)) return;
  uint8_t* uv = plane(1, 2 * (x / 2), y / 2);
  uv[0] = mix(uv[0], c.u, alpha);
  uv[1] = mix(uv[1], c.v, alpha);
}

void Canvas::fill_rect(int x, int y, int w, int h, Rgb colour, float alpha) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(width_, x + w), y1 = std::min(height_, y + h);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) blend(xx, yy, colour, alpha);
}

}  // namespace rvgst
