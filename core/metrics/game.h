#pragma once
// Grid Average Mean absolute Error, GAME(L) (Guerrero-Gómez-Olmedo et al.,
// 2015): the map is split into 4^L equal cells (2^L × 2^L) and the absolute count
// errors of the cells are summed, so a model that counts right for the wrong
// places is penalised. GAME(0) is the absolute count error of the image.
#include <vector>

namespace rv {

// A row-major height × width density map (people per cell).
struct DensityMap {
  int height = 0;
  int width = 0;
  std::vector<double> values;
};

// GAME(L) of one image. Both maps must have the same, non-empty size and
// height*width values; L in [0, 10] and 2^L at most the map's smaller side.
// Cell boundaries are floor(i*H / 2^L), so cells differ by at most one row/column.
// Throws rv::InputError otherwise.
double game(const DensityMap& truth, const DensityMap& predicted, int level);

// Mean of game() over images (the number reported in tables).
double mean_game(const std::vector<DensityMap>& truth, const std::vector<DensityMap>& predicted, int level);

}  // namespace rv
