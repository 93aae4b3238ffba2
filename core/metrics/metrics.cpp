#include "metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "common/error.h"

namespace rv {

namespace {

void check_values(const char* metric, const std::vector<double>& a, const std::vector<double>& b, size_t min_size) {
  if (a.empty() || b.empty()) throw_input_error(metric, "no values (empty input)");
  if (a.size() != b.size()) {
    throw_input_error(metric, "sizes differ: " + std::to_string(a.size()) + " ground-truth values but " +
                                  std::to_string(b.size()) + " predictions");
  }
  if (a.size() < min_size) {
    throw_input_error(metric, "needs at least " + std::to_string(min_size) + " values, got " + std::to_string(a.size()));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) {
      throw_input_error(metric, "value " + std::to_string(i) + " is not finite");
    }
  }
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  // Clamp rounding excursions beyond ±1.
  return std::max(-1.0, std::min(1.0, sxy / std::sqrt(sxx * syy)));
}

int sign(double v) { return (v > 0) - (v < 0); }

}  // namespace

double mae(const std::vector<double>& truth, const std::vector<double>& predicted) {
  check_values("MAE", truth, predicted, 1);
  double sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) sum += std::abs(truth[i] - predicted[i]);
  return sum / static_cast<double>(truth.size());
}

double mse(const std::vector<double>& truth, const std::vector<double>& predicted) {
  check_values("MSE", truth, predicted, 1);
  double sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) sum += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
  return std::sqrt(sum / static_cast<double>(truth.size()));
}

double rmse(const std::vector<double>& truth, const std::vector<double>& predicted) { return mse(truth, predicted); }

double lcc(const std::vector<double>& x, const std::vector<double>& y) {
  check_values("LCC", x, y, 2);
  return pearson(x, y);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 (0-based) share the mean of ranks start+1..end.
    const double average = 0.5 * static_cast<double>(start + 1 + end);
    for (size_t k = start; k < end; ++k) ranks[order[k]] = average;
    start = end;
  }
  return ranks;
}

double srocc(const std::vector<double>& x, const std::vector<double>& y) {
  check_values("SROCC", x, y, 2);
  // Pearson of average ranks; the paper's 1 − 6Σd²/(N(N²−1)) equals it only without ties.
  return pearson(average_ranks(x), average_ranks(y));
}

double krocc(const std::vector<double>& x, const std::vector<double>& y) {
  check_values("KROCC", x, y, 2);
  // tau-b = (concordant − discordant) / sqrt((n0 − ties_x)(n0 − ties_y)).
  long long s = 0, ties_x = 0, ties_y = 0;
  const size_t n = x.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const int sx = sign(x[i] - x[j]);
      const int sy = sign(y[i] - y[j]);
      s += sx * sy;
      ties_x += (sx == 0);
      ties_y += (sy == 0);
    }
  }
  const double n0 = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  const double denom = std::sqrt((n0 - static_cast<double>(ties_x)) * (n0 - static_cast<double>(ties_y)));
  if (denom == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(s) / denom;
}

CountMetrics count_metrics(const std::vector<double>& truth, const std::vector<double>& predicted) {
  return {mae(truth, predicted), mse(truth, predicted)};
}

QualityMetrics quality_metrics(const std::vector<double>& truth, const std::vector<double>& predicted) {
  return {lcc(truth, predicted), srocc(truth, predicted), krocc(truth, predicted)};
}

}  // namespace rv
