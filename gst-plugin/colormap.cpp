#include "colormap.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rvgst {

namespace {
struct Stop {
  float at;
  Rgb colour;
};

std::vector<Stop> stops(ColormapId id) {
  switch (id) {
    case ColormapId::Jet:
      return {{0.0f, {0, 0, 128}}, {0.125f, {0, 0, 255}}, {0.375f, {0, 255, 255}},
              {0.625f, {255, 255, 0}}, {0.875f, {255, 0, 0}}, {1.0f, {128, 0, 0}}};
    case ColormapId::Inferno:
      return {{0.0f, {0, 0, 4}}, {0.25f, {87, 16, 110}}, {0.5f, {188, 55, 84}},
              {0.75f, {249, 142, 9}}, {1.0f, {252, 255, 164}}};
    case ColormapId::Viridis:
      return {{0.0f, {68, 1, 84}}, {0.25f, {59, 82, 139}}, {0.5f, {33, 145, 140}},
              {0.75f, {94, 201, 98}}, {1.0f, {253, 231, 37}}};
    case ColormapId::Hot:
      return {{0.0f, {0, 0, 0}}, {0.4f, {230, 0, 0}}, {0.8f, {255, 210, 0}}, {1.0f, {255, 255, 255}}};
    case ColormapId::Gray:
    default:
      return {{0.0f, {0, 0, 0}}, {1.0f, {255, 255, 255}}};
  }
}
}  // namespace

Colormap::Colormap(ColormapId id) : id_(id) {
  const std::vector<Stop> s = stops(id);
  for (int i = 0; i < 256; ++i) {
    const float v = i / 255.0f;
    size_t k = 1;
    while (k + 1 < s.size() && s[k].at < v) ++k;
    const Stop& a = s[k - 1];
    const Stop& b = s[k];
    const float t = std::clamp((v - a.at) / std::max(1e-6f, b.at - a.at), 0.0f, 1.0f);
    auto lerp = [t](uint8_t x, uint8_t y) { return static_cast<uint8_t>(std::lround(x + (y - x) * t)); };
    table_[i] = {lerp(a.colour.r, b.colour.r), lerp(a.colour.g, b.colour.g), lerp(a.colour.b, b.colour.b)};
  }
}

Rgb Colormap::at(float v) const {
  const int i = static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  return table_[i];
}

}  // namespace rvgst
