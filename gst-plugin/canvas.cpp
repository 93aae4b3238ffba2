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
      yuv_ = true;
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

void Canvas::blend(int x, int y, Rgb colour, float alpha) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0) return;
  alpha = std::min(alpha, 1.0f);
  if (!yuv_) {
    auto* p = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, 0)) +
              static_cast<size_t>(y) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 0) + static_cast<size_t>(x) * pixel_;
    p[r_] = mix(p[r_], colour.r, alpha);
    p[g_] = mix(p[g_], colour.g, alpha);
    p[b_] = mix(p[b_], colour.b, alpha);
    return;
  }
  const Yuv c = to_yuv(colour);
  auto* luma = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, 0)) +
               static_cast<size_t>(y) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 0) + x;
  *luma = mix(*luma, c.y, alpha);
  if ((x & 1) || (y & 1)) return;
  const int cx = x / 2, cy = y / 2;
  if (format_ == GST_VIDEO_FORMAT_NV12) {
    auto* uv = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, 1)) +
               static_cast<size_t>(cy) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 1) + 2 * cx;
    uv[0] = mix(uv[0], c.u, alpha);
    uv[1] = mix(uv[1], c.v, alpha);
  } else {
    auto* u = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, 1)) +
              static_cast<size_t>(cy) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 1) + cx;
    auto* v = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, 2)) +
              static_cast<size_t>(cy) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 2) + cx;
    *u = mix(*u, c.u, alpha);
    *v = mix(*v, c.v, alpha);
  }
}

void Canvas::fill_rect(int x, int y, int w, int h, Rgb colour, float alpha) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(width_, x + w), y1 = std::min(height_, y + h);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) blend(xx, yy, colour, alpha);
}

}  // namespace rvgst
