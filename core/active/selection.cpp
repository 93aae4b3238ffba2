#include "active/selection.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "common/error.h"

namespace rv {

std::vector<size_t> least_certain(const std::vector<double>& certainty, size_t count) {
  for (size_t i = 0; i < certainty.size(); ++i) {
    if (std::isnan(certainty[i])) throw_input_error("certainty of pool image " + std::to_string(i), "is NaN");
  }
  std::vector<size_t> order(certainty.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return certainty[a] < certainty[b]; });
  order.resize(std::min(count, order.size()));
  return order;
}

}  // namespace rv
