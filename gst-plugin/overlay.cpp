#include "overlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bitmap_font.h"

namespace rvgst {

namespace {
const float kVisible = std::sqrt(0.02f);  // square-root scale of 2 % of the peak
}  // namespace

int label_scale(const Canvas& canvas) { return std::max(1, canvas.height() / 180); }

void draw_density_legend(Canvas& canvas, const DensityMap& density, const Colormap& colormap) {
  if (density.cells.empty()) return;
  const float peak = *std::max_element(density.cells.begin(), density.cells.end());
  if (!(peak > 0)) return;
  char text[64];
  std::snprintf(text, sizeof text, "PEOPLE/CELL 0 - %.2g", peak);
  const int scale = label_scale(canvas);
  const int pad = 2 * scale;
  const int text_h = BitmapFont::kHeight * scale;
  const int bar_w = std::max(BitmapFont::text_width(text, scale), canvas.width() / 5);
  const int bar_h = 3 * scale;
  const int box_w = bar_w + 2 * pad, box_h = text_h + bar_h + 3 * pad;
  const int x = 0, y = canvas.height() - box_h;
  canvas.fill_rect(x, y, box_w, box_h, {0, 0, 0}, 0.6f);
  BitmapFont::draw(canvas, x + pad, y + pad, text, scale, {255, 255, 255});
  for (int i = 0; i < bar_w; ++i)  // the bar's position is the square-root scale of draw_density
    canvas.fill_rect(x + pad + i, y + 2 * pad + text_h, 1, bar_h, colormap.at(static_cast<float>(i) / (bar_w - 1)),
                     1.0f);
}

void draw_density(Canvas& canvas, const DensityMap& density, const Colormap& colormap, float alpha) {
  if (density.width <= 0 || density.height <= 0 || density.cells.empty()) return;
  const float peak = *std::max_element(density.cells.begin(), density.cells.end());
  if (!(peak > 0)) return;
  const int w = density.width, h = density.height;
  auto cell = [&](int cx, int cy) {
    cx = std::clamp(cx, 0, w - 1);
    cy = std::clamp(cy, 0, h - 1);
    return density.cells[static_cast<size_t>(cy) * w + cx];
  };
  for (int y = 0; y < canvas.height(); ++y) {
    // Bilinear between cell centres, so the map does not look like tiles.
    const double fy = (y + 0.5) / density.cell_height - 0.5;
    const int y0 = static_cast<int>(std::floor(fy));
    const float ty = static_cast<float>(fy - y0);
    for (int x = 0; x < canvas.width(); ++x) {
      const double fx = (x + 0.5) / density.cell_width - 0.5;
      const int x0 = static_cast<int>(std::floor(fx));
      const float tx = static_cast<float>(fx - x0);
      const float v = (cell(x0, y0) * (1 - tx) + cell(x0 + 1, y0) * tx) * (1 - ty) +
                      (cell(x0, y0 + 1) * (1 - tx) + cell(x0 + 1, y0 + 1) * tx) * ty;
      const float n = std::sqrt(std::clamp(v / peak, 0.0f, 1.0f));
      if (n > kVisible) canvas.blend(x, y, colormap.at(n), alpha * n);
    }
  }
}

void draw_label(Canvas& canvas, const std::string& text, int row, Rgb colour, bool right) {
  const int scale = label_scale(canvas);
  const int pad = 2 * scale;
  const int line = BitmapFont::kHeight * scale + 2 * pad;
  const int y = row * (line + scale);
  const int width = BitmapFont::text_width(text, scale) + 2 * pad;
  const int x = right ? std::max(0, canvas.width() - width) : 0;
  canvas.fill_rect(x, y, width, line, {0, 0, 0}, 0.6f);
  BitmapFont::draw(canvas, x + pad, y + pad, text, scale, colour);
}

void draw_bar(Canvas& canvas, double fraction, int row, Rgb colour, bool right) {
  const int scale = label_scale(canvas);
  const int line = BitmapFont::kHeight * scale + 4 * scale;
  const int y = row * (line + scale);
  const int width = std::max(10, canvas.width() / 4);
  const int height = 3 * scale;
  const int x = right ? std::max(0, canvas.width() - width - 2 * scale) : 0;
  canvas.fill_rect(x, y, width + 2 * scale, height + 2 * scale, {0, 0, 0}, 0.6f);
  const int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * width));
  canvas.fill_rect(x + scale, y + scale, filled, height, colour, 1.0f);
}

void draw_polygon(Canvas& canvas, const Polygon& polygon, Rgb colour) {
  const size_t n = polygon.size();
  for (size_t i = 0; i < n; ++i) {
    const auto [x0, y0] = polygon[i];
    const auto [x1, y1] = polygon[(i + 1) % n];
    const int steps = static_cast<int>(std::max(std::abs(x1 - x0), std::abs(y1 - y0))) + 1;
    for (int s = 0; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      canvas.blend(static_cast<int>(std::lround(x0 + (x1 - x0) * t)), static_cast<int>(std::lround(y0 + (y1 - y0) * t)),
                   colour, 1.0f);
    }
  }
}

}  // namespace rvgst
