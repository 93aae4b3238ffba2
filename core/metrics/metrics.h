#pragma once
// Evaluation metrics of the paper, plain C++ so any tool can use them without
// LibTorch. Counting (§6.2, Eq. 20–21): MAE and MSE, where the paper's "MSE"
// is the ROOT mean squared error. IQA (§6.1): LCC (Pearson), SROCC (Spearman,
// ties get average ranks) and KROCC (Kendall tau-b, which corrects for ties).
//
// Every function throws rv::InputError when the inputs are empty, differ in
// size, or hold a non-finite value. Correlations need at least 2 items and
// return NaN when one side is constant (the coefficient is undefined there,
// as in scipy).
#include <vector>

namespace rv {

// (1/N) Σ |y_i − ŷ_i|   (Eq. 20)
double mae(const std::vector<double>& truth, const std::vector<double>& predicted);
// sqrt((1/N) Σ (y_i − ŷ_i)²)   (Eq. 21, called MSE in the crowd counting literature)
double mse(const std::vector<double>& truth, const std::vector<double>& predicted);
// Same value as mse(), under its unambiguous name.
double rmse(const std::vector<double>& truth, const std::vector<double>& predicted);

// Pearson linear correlation coefficient.
double lcc(const std::vector<double>& x, const std::vector<double>& y);
// Spearman rank-order correlation: Pearson of the average ranks.
double srocc(const std::vector<double>& x, const std::vector<double>& y);
// Kendall rank-order correlation, tau-b. O(N²).
double krocc(const std::vector<double>& x, const std::vector<double>& y);

// Ranks 1..N with ties replaced by their average rank (scipy.stats.rankdata "average").
std::vector<double> average_ranks(const std::vector<double>& values);

struct CountMetrics {
  double mae = 0;
  double mse = 0;  // root mean squared error, as the paper reports it
};
CountMetrics count_metrics(const std::vector<double>& truth, const std::vector<double>& predicted);

struct QualityMetrics {
  double lcc = 0;
  double srocc = 0;
  double krocc = 0;
};
QualityMetrics quality_metrics(const std::vector<double>& truth, const std::vector<double>& predicted);

}  // namespace rv
