// Bayesian counting loss (core/loss/bayesian_loss.h): the posterior shares a
// cell's density among nearby heads, every head must get 1, the background 0.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "loss/bayesian_loss.h"

namespace {

// Cell (r, c) of a stride-8 map is centred at (8c + 3.5, 8r + 3.5).
torch::Tensor head_at_cell(int64_t r, int64_t c) {
  return torch::tensor({8.0f * c + 3.5f, 8.0f * r + 3.5f}).view({1, 2});
}

}  // namespace

TEST(BayesianLoss, OnePersonOnItsCellCostsNothing) {
  auto d = torch::zeros({16, 16});
  d[5][7] = 1.0;
  rv::BayesianLossOptions o;
  o.sigma = 4.0;
  EXPECT_NEAR(rv::bayesian_count_loss(d, head_at_cell(5, 7), 8, o).item<double>(), 0.0, 1e-5);
  o.background_distance = 0.15 * 128;
  EXPECT_NEAR(rv::bayesian_count_loss(d, head_at_cell(5, 7), 8, o).item<double>(), 0.0, 1e-3);
}

TEST(BayesianLoss, RightTotalInTheWrongPlaceIsCharged) {
  // Two people far apart, all their density on the first: the map's sum is right (2), but each
  // person's expected share is off by one. A count loss would see nothing.
  auto d = torch::zeros({16, 16});
  d[2][2] = 2.0;
  const auto heads = torch::cat({head_at_cell(2, 2), head_at_cell(13, 13)}, 0);
  rv::BayesianLossOptions o;
  o.sigma = 4.0;
  EXPECT_NEAR(rv::bayesian_count_loss(d, heads, 8, o).item<double>(), 2.0, 1e-4);
}

TEST(BayesianLoss, HazeFarAwayCannotStandInForAMissedPerson) {
  // Half a person on the head, the other half as a haze in a far corner: the total is right.
  auto d = torch::zeros({16, 16});
  d[5][7] = 0.5;
  d.narrow(0, 12, 4).narrow(1, 12, 4).fill_(0.5 / 16);
  rv::BayesianLossOptions o;
  o.sigma = 4.0;
  // Without a background class the person absorbs the haze and the loss is blind to it ...
  EXPECT_NEAR(rv::bayesian_count_loss(d, head_at_cell(5, 7), 8, o).item<double>(), 0.0, 1e-4);
  // ... with one, the haze is the background's (target 0) and the person is half missing.
  o.background_distance = 0.15 * 128;
  EXPECT_NEAR(rv::bayesian_count_loss(d, head_at_cell(5, 7), 8, o).item<double>(), 1.0, 1e-3);
}

TEST(BayesianLoss, NoHeadsMeansTheWholeMapIsError) {
  auto d = torch::full({4, 4}, 0.25);
  EXPECT_NEAR(rv::bayesian_count_loss(d, torch::empty({0, 2}), 8, {}).item<double>(), 4.0, 1e-5);
}

TEST(BayesianLoss, GradientPullsDensityTowardTheHead) {
  auto d = torch::zeros({1, 8, 8}).requires_grad_(true);
  rv::BayesianLossOptions o;
  o.sigma = 4.0;
  o.background_distance = 0.15 * 64;
  rv::bayesian_count_loss(d, head_at_cell(3, 3), 8, o).backward();
  const auto g = d.grad()[0];
  // Raising density at the head lowers the loss the most; far away it does not help.
  EXPECT_LT(g[3][3].item<double>(), -0.5);
  EXPECT_GT(g[7][7].item<double>(), g[3][3].item<double>() + 0.5);
}

TEST(BayesianLoss, RejectsBadInput) {
  const auto d = torch::zeros({4, 4});
  EXPECT_THROW(rv::bayesian_count_loss(d, torch::zeros({3}), 8, {}), rv::InputError);
  EXPECT_THROW(rv::bayesian_count_loss(torch::zeros({2, 4, 4}), head_at_cell(0, 0), 8, {}), rv::InputError);
  rv::BayesianLossOptions bad;
  bad.sigma = 0;
  EXPECT_THROW(rv::bayesian_count_loss(d, head_at_cell(0, 0), 8, bad), rv::InputError);
  EXPECT_THROW(rv::bayesian_count_loss(d, head_at_cell(0, 0), 0, {}), rv::InputError);
}
