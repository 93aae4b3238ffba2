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
  const size_t n = std::min(count, order.size());
  if (n == 0 || n == order.size()) return order;
  // The items tied with the last one taken: take them spread evenly over the
  // pool rather than the first in pool order (with a certainty that saturates
  // at 1, the first frames of a video would otherwise win every tie).
  const double edge = certainty[order[n - 1]];
  size_t lo = n - 1, hi = n;
  while (lo > 0 && certainty[order[lo - 1]] == edge) --lo;
  while (hi < order.size() && certainty[order[hi]] == edge) ++hi;
  const size_t group = hi - lo, need = n - lo;
  std::vector<size_t> tied(order.begin() + static_cast<long>(lo), order.begin() + static_cast<long>(hi));
  order.resize(lo);
  for (size_t j = 0; j < need; ++j) order.push_back(tied[(2 * j + 1) * group / (2 * need)]);
  return order;
}

}  // namespace rv
