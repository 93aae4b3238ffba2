// Metrics against reference values that metric_reference.py computes with
// scipy/numpy at test time (path in RV_METRICS_REFERENCE), plus hand-made cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "metrics/game.h"
#include "metrics/metrics.h"

namespace {

struct Case {
  std::string name;
  std::vector<double> x, y;
  double lcc = 0, srocc = 0, krocc = 0, mae = 0, rmse = 0;
};

std::vector<double> read_values(std::istringstream& in) {
  std::vector<double> v;
  std::string token;
  while (in >> token) v.push_back(std::strtod(token.c_str(), nullptr));  // strtod reads "nan"
  return v;
}

std::vector<Case> load_cases() {
  const char* path = std::getenv("RV_METRICS_REFERENCE");
  if (!path) return {};
  std::ifstream file(path);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    if (tag == "case") {
      cases.emplace_back();
      in >> cases.back().name;
    } else if (tag == "x") {
      cases.back().x = read_values(in);
    } else if (tag == "y") {
      cases.back().y = read_values(in);
    } else if (tag == "ref") {
      const auto r = read_values(in);
      Case& c = cases.back();
      c.lcc = r.at(0), c.srocc = r.at(1), c.krocc = r.at(2), c.mae = r.at(3), c.rmse = r.at(4);
    }
  }
  return cases;
}

void expect_close_or_nan(double actual, double expected, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual << ", scipy says undefined";
  } else {
    EXPECT_NEAR(actual, expected, 1e-12 + 1e-10 * std::abs(expected)) << what;
  }
}

TEST(Metrics, MatchScipyReference) {
  const auto cases = load_cases();
  ASSERT_GE(cases.size(), 8u) << "reference file missing or short: set RV_METRICS_REFERENCE (meson test does)";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(c.x.size(), c.y.size());
    expect_close_or_nan(rv::lcc(c.x, c.y), c.lcc, "LCC");
    expect_close_or_nan(rv::srocc(c.x, c.y), c.srocc, "SROCC");
    expect_close_or_nan(rv::krocc(c.x, c.y), c.krocc, "KROCC");
    expect_close_or_nan(rv::mae(c.x, c.y), c.mae, "MAE");
    expect_close_or_nan(rv::mse(c.x, c.y), c.rmse, "MSE (root mean square)");
    const auto q = rv::quality_metrics(c.x, c.y);
    expect_close_or_nan(q.krocc, c.krocc, "quality_metrics.krocc");
    const auto m = rv::count_metrics(c.x, c.y);
    expect_close_or_nan(m.mse, c.rmse, "count_metrics.mse");
  }
}

TEST(Metrics, AverageRanksForTies) {
  const auto r = rv::average_ranks({10, 20, 10, 5, 20, 20});
  const std::vector<double> expected = {2.5, 5, 2.5, 1, 5, 5};
  EXPECT_EQ(r, expected);
}

TEST(Metrics, HandComputedCounts) {
  EXPECT_DOUBLE_EQ(rv::mae({1, 2, 3}, {2, 2, 6}), 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(rv::mse({1, 2, 3}, {2, 2, 6}), std::sqrt(10.0 / 3.0));
  EXPECT_DOUBLE_EQ(rv::rmse({0, 0}, {3, 4}), std::sqrt(12.5));
}

TEST(Metrics, ClearErrors) {
  EXPECT_THROW(rv::mae({}, {}), rv::InputError);
  EXPECT_THROW(rv::mse({1, 2}, {1}), rv::InputError);
  EXPECT_THROW(rv::lcc({1}, {1}), rv::InputError);
  EXPECT_THROW(rv::srocc({1, 2, 3}, {1, 2}), rv::InputError);
  EXPECT_THROW(rv::krocc({1, std::numeric_limits<double>::quiet_NaN()}, {1, 2}), rv::InputError);
  try {
    rv::lcc({1, 2, 3}, {1, 2});
    FAIL() << "no exception";
  } catch (const rv::InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("LCC"), std::string::npos) << message;
    EXPECT_NE(message.find("3"), std::string::npos) << message;
  }
}

TEST(Game, HandComputed) {
  // 4x4 maps; the prediction moves one person from the top-left to the bottom-right cell.
  rv::DensityMap truth{4, 4, std::vector<double>(16, 0.0)};
  rv::DensityMap pred = truth;
  truth.values[0] = 1.0;   // (0,0)
  pred.values[15] = 1.0;   // (3,3)
  pred.values[1] = 0.5;    // (0,1), same level-1 cell as (0,0)
  EXPECT_DOUBLE_EQ(rv::game(truth, pred, 0), 0.5);        // 1 vs 1.5
  EXPECT_DOUBLE_EQ(rv::game(truth, pred, 1), 0.5 + 1.0);  // top-left 1 vs .5, bottom-right 0 vs 1
  EXPECT_DOUBLE_EQ(rv::game(truth, pred, 2), 1.0 + 0.5 + 1.0);
  EXPECT_DOUBLE_EQ(rv::mean_game({truth, truth}, {pred, truth}, 1), 0.75);
  EXPECT_THROW(rv::game(truth, pred, 3), rv::InputError);  // 8x8 cells on a 4x4 map
  rv::DensityMap wrong{4, 3, std::vector<double>(12, 0.0)};
  EXPECT_THROW(rv::game(truth, wrong, 0), rv::InputError);
  rv::DensityMap short_map{4, 4, std::vector<double>(15, 0.0)};
  EXPECT_THROW(rv::game(truth, short_map, 0), rv::InputError);
}

TEST(Game, UnevenCells) {
  // 3x3 map at level 1: rows/cols split at floor(3/2) = 1 → cells of 1 and 2.
  rv::DensityMap truth{3, 3, {1, 0, 0, 0, 0, 0, 0, 0, 2}};
  rv::DensityMap pred{3, 3, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  EXPECT_DOUBLE_EQ(rv::game(truth, pred, 1), 3.0);
  pred.values[4] = 2.0;  // the centre belongs to the bottom-right cell
  EXPECT_DOUBLE_EQ(rv::game(truth, pred, 1), 1.0);
}

}  // namespace
