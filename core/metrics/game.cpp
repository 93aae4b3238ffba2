#include "metrics/game.h"

#include <cmath>
#include <string>

#include "common/error.h"

namespace rv {

namespace {

void check_map(const DensityMap& m, const char* which) {
  if (m.height <= 0 || m.width <= 0) throw_input_error(std::string("GAME ") + which, "empty density map");
  if (m.values.size() != static_cast<size_t>(m.height) * static_cast<size_t>(m.width)) {
    throw_input_error(std::string("GAME ") + which, "has " + std::to_string(m.values.size()) + " values for a " +
                                                        std::to_string(m.height) + "x" + std::to_string(m.width) +
                                                        " map");
  }
}

}  // namespace

double game(const DensityMap& truth, const DensityMap& predicted, int level) {
  check_map(truth, "ground truth");
  check_map(predicted, "prediction");
  if (truth.height != predicted.height || truth.width != predicted.width) {
    throw_input_error("GAME", "map sizes differ: " + std::to_string(truth.height) + "x" + std::to_string(truth.width) +
                                  " vs " + std::to_string(predicted.height) + "x" + std::to_string(predicted.width));
  }
  if (level < 0 || level > 10) throw_input_error("GAME", "level must be in [0, 10], got " + std::to_string(level));
  const int cells = 1 << level;
  if (cells > truth.height || cells > truth.width) {
    throw_input_error("GAME", "level " + std::to_string(level) + " needs a map of at least " + std::to_string(cells) +
                                  "x" + std::to_string(cells));
  }
  const int h = truth.height, w = truth.width;
  double total = 0;
  for (int cy = 0; cy < cells; ++cy) {
    const int y0 = static_cast<int>(static_cast<long long>(cy) * h / cells);
    const int y1 = static_cast<int>(static_cast<long long>(cy + 1) * h / cells);
    for (int cx = 0; cx < cells; ++cx) {
      const int x0 = static_cast<int>(static_cast<long long>(cx) * w / cells);
      const int x1 = static_cast<int>(static_cast<long long>(cx + 1) * w / cells);
      double diff = 0;
      for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
          const size_t i = static_cast<size_t>(y) * w + x;
          diff += predicted.values[i] - truth.values[i];
        }
      }
      total += std::abs(diff);
    }
  }
  if (!std::isfinite(total)) throw_input_error("GAME", "density map holds a non-finite value");
  return total;
}

double mean_game(const std::vector<DensityMap>& truth, const std::vector<DensityMap>& predicted, int level) {
  if (truth.empty()) throw_input_error("GAME", "no images");
  if (truth.size() != predicted.size()) {
    throw_input_error("GAME", std::to_string(truth.size()) + " ground-truth maps but " +
                                  std::to_string(predicted.size()) + " predictions");
  }
  double sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) sum += game(truth[i], predicted[i], level);
  return sum / static_cast<double>(truth.size());
}

}  // namespace rv
