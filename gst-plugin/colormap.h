#pragma once
// Colour maps for the density heat map: 256-entry tables built once from a
// few control points of the well-known maps.
#include <array>

#include "canvas.h"

namespace rvgst {

enum class ColormapId { Jet = 0, Inferno = 1, Viridis = 2, Hot = 3, Gray = 4 };

class Colormap {
 public:
  explicit Colormap(ColormapId id);
  ColormapId id() const { return id_; }
  // v in 0..1 (clamped).
  Rgb at(float v) const;

 private:
  ColormapId id_;
  std::array<Rgb, 256> table_{};
};

}  // namespace rvgst
