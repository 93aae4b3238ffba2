// Ranking losses of §3.3: the comparability matrix (Eq. 14), the all-pairs
// hinge loss (Eq. 8–13) against hand-computed values and against the naive
// two-branch Siamese computation on a real network, and the pair sampling of
// the ablations.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <set>

#include "common/error.h"
#include "loss/pair_sampling.h"
#include "loss/ranking_loss.h"
#include "loss/regression_loss.h"
#include "loss/siamese_loss.h"
#include "model/network.h"
#include "ranking/comparability.h"

namespace {

torch::Tensor longs(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong); }
torch::Tensor doubles(std::vector<double> v) { return torch::tensor(v, torch::kDouble); }

rv::RankingLossOptions opts(double margin, rv::PairReduction reduction) {
  rv::RankingLossOptions o;
  o.margin = margin;
  o.reduction = reduction;
  return o;
}

TEST(Comparability, MatchesEquation14) {
  // group 0: ranks 2,1,2 (items 0 and 2 tie); group 1: ranks 0,3.
  const auto l = rv::comparability_matrix(longs({0, 0, 0, 1, 1}), longs({2, 1, 2, 0, 3}));
  const auto expected = longs({0, -1, 0, 0, 0,  //
                               1, 0, 1, 0, 0,   //
                               0, -1, 0, 0, 0,  //
                               0, 0, 0, 0, 1,   //
                               0, 0, 0, -1, 0})
                            .view({5, 5});
  EXPECT_TRUE(torch::equal(l, expected)) << l;
  EXPECT_EQ(l.scalar_type(), torch::kLong);
  EXPECT_EQ(rv::count_comparable_pairs(l), 3);
}

TEST(Comparability, RejectsBadInput) {
  EXPECT_THROW(rv::comparability_matrix(longs({0, 0}), longs({1, 2, 3})), rv::InputError);
  EXPECT_THROW(rv::comparability_matrix(doubles({0, 0}), longs({1, 2})), rv::InputError);
  EXPECT_THROW(rv::comparability_matrix(longs({0, 0}).view({1, 2}), longs({1, 2}).view({1, 2})), rv::InputError);
}

TEST(RankingLoss, HandComputedExample) {
  // Ranks in increasing order: the pair (1,2) is mis-ordered (y1 = 3 > y2 = 2).
  auto y = doubles({1.0, 3.0, 2.0}).requires_grad_(true);
  const auto group = longs({0, 0, 0});
  auto loss = rv::ranking_hinge_loss(y, group, longs({0, 1, 2}), opts(0.5, rv::PairReduction::Sum));
  // (0,1): max(0, 1−3+.5)=0; (0,2): max(0, 1−2+.5)=0; (1,2): max(0, 3−2+.5)=1.5
  EXPECT_DOUBLE_EQ(loss.item<double>(), 1.5);
  loss.backward();
  // The higher-ranked item 2 is pushed up (negative gradient), item 1 down.
  EXPECT_TRUE(torch::allclose(y.grad(), doubles({0.0, 1.0, -1.0}))) << y.grad();

  // Reversed ranks: l_ij = −1 for every pair.
  auto y2 = doubles({1.0, 3.0, 2.0}).requires_grad_(true);
  auto loss2 = rv::ranking_hinge_loss(y2, group, longs({2, 1, 0}), opts(0.5, rv::PairReduction::Sum));
  // (0,1): max(0, −(1−3)+.5)=2.5; (0,2): max(0, −(1−2)+.5)=1.5; (1,2): max(0, −(3−2)+.5)=0
  EXPECT_DOUBLE_EQ(loss2.item<double>(), 4.0);
  loss2.backward();
  EXPECT_TRUE(torch::allclose(y2.grad(), doubles({-2.0, 1.0, 1.0}))) << y2.grad();

  // Mean divides by the 3 comparable pairs.
  auto mean = rv::ranking_hinge_loss(doubles({1.0, 3.0, 2.0}), group, longs({2, 1, 0}), opts(0.5, rv::PairReduction::Mean));
  EXPECT_DOUBLE_EQ(mean.item<double>(), 4.0 / 3.0);
}

TEST(RankingLoss, DefaultIsMeanWithZeroMargin) {
  rv::RankingLossOptions o;
  EXPECT_EQ(o.reduction, rv::PairReduction::Mean);
  EXPECT_EQ(o.margin, 0.0);
}

TEST(RankingLoss, GroupsAreSeparate) {
  // Group 0 is ordered correctly, group 1 wrongly; across groups the outputs
  // are wildly "mis-ordered", which must not matter.
  const auto y = doubles({10.0, 20.0, -5.0, -9.0});
  const auto group = longs({0, 0, 1, 1});
  const auto rank = longs({0, 1, 0, 1});
  const auto loss = rv::ranking_hinge_loss(y, group, rank, opts(1.0, rv::PairReduction::Sum));
  // group 0: max(0, 10−20+1) = 0; group 1: max(0, −5+9+1) = 5
  EXPECT_DOUBLE_EQ(loss.item<double>(), 5.0);
  const auto per_group = rv::ranking_hinge_loss(y.slice(0, 2, 4), longs({1, 1}), longs({0, 1}),
                                                opts(1.0, rv::PairReduction::Sum));
  EXPECT_DOUBLE_EQ(per_group.item<double>(), 5.0);
  const auto terms = rv::pairwise_hinge_terms(y, rv::comparability_matrix(group, rank), 1.0);
  EXPECT_EQ(terms.index({0, 2}).item<double>(), 0.0);
  EXPECT_EQ(terms.index({1, 3}).item<double>(), 0.0);
}

TEST(RankingLoss, NoComparablePairsGivesZeroWithGraph) {
  auto y = doubles({1.0, 2.0}).requires_grad_(true);
  auto loss = rv::ranking_hinge_loss(y, longs({0, 1}), longs({0, 1}));
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_TRUE(torch::equal(y.grad(), doubles({0.0, 0.0})));
}

TEST(RankingLoss, GradientIsPMatrixTimesOnes) {
  torch::manual_seed(3);
  const int64_t m = 9;
  auto y = torch::randn({m}, torch::kDouble).requires_grad_(true);
  const auto group = longs({0, 0, 0, 0, 1, 1, 1, 2, 2});
  const auto rank = longs({0, 1, 2, 3, 5, 4, 3, 1, 1});
  const double margin = 0.3;
  rv::ranking_hinge_loss(y, group, rank, opts(margin, rv::PairReduction::Sum)).backward();
  // Eq. 11–13 written out pair by pair.
  const auto l = rv::comparability_matrix(group, rank);
  const auto yv = y.detach();
  std::vector<double> p_ones(m, 0.0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < m; ++j) {
      const double lij = l.index({i, j}).item<double>();
      if (i == j || lij == 0) continue;
      const double arg = lij * (yv[i].item<double>() - yv[j].item<double>()) + margin;
      p_ones[i] += arg <= 0 ? 0.0 : lij;  // a_ij
    }
  }
  EXPECT_TRUE(torch::allclose(y.grad(), doubles(p_ones), 1e-12, 1e-12)) << y.grad() << doubles(p_ones);
}

class SiameseEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    // Tiny convolutions gain nothing from threads, and OpenMP spinning on a
    // busy 2-core machine made this test 50x slower.
    torch::set_num_threads(1);
    torch::manual_seed(11);
    rv::NetSpec spec;
    spec.task = rv::Task::Count;
    spec.arch = "vgg16";
    spec.width = 0.125;
    spec.batch_norm = false;  // with batch norm a two-image forward would differ from a batch forward
    net = rv::build_network(spec);
    net->to(torch::kDouble);
    images = torch::rand({8, 3, 32, 32}, torch::kDouble);
    group = longs({0, 0, 0, 0, 1, 1, 1, 2});
    rank = longs({4, 3, 2, 1, 0, 2, 1, 0});
  }

  std::vector<torch::Tensor> grads() {
    std::vector<torch::Tensor> out;
    for (auto& p : net->parameters()) out.push_back(p.grad().clone());
    return out;
  }

  void expect_same_grads(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    ASSERT_EQ(a.size(), b.size());
    double nonzero = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double scale = b[i].abs().max().item<double>();
      nonzero += scale;
      const double diff = (a[i] - b[i]).abs().max().item<double>();
      EXPECT_LE(diff, 1e-5 * scale + 1e-14) << "parameter " << i;
    }
    EXPECT_GT(nonzero, 0.0) << "gradients vanished; the comparison would be empty";
  }

  rv::RankNetPtr net;
  torch::Tensor images, group, rank;
};

TEST_F(SiameseEquivalence, LossAndGradientsMatchTwoBranchReference) {
  // Sum with the textbook one-pair branches and the graph kept; Mean with
  // chunked branches and chunk-by-chunk backward, as the benchmark runs it.
  struct Variant {
    rv::PairReduction reduction;
    int64_t pairs_per_forward;
    bool chunked_backward;
  };
  for (const auto& v : {Variant{rv::PairReduction::Sum, 1, false}, Variant{rv::PairReduction::Mean, 3, true}}) {
    // A margin near the spread of the initial outputs makes some pairs active and some not.
    torch::Tensor y0;
    {
      torch::NoGradGuard no_grad;
      y0 = net->scalar(images);
    }
    const double margin = 0.5 * (y0.max() - y0.min()).item<double>();
    const auto o = opts(margin, v.reduction);

    net->zero_grad();
    const auto y = net->scalar(images);  // one forward pass for the whole batch
    const auto efficient = rv::ranking_hinge_loss(y, group, rank, o);
    efficient.backward();
    const auto g_efficient = grads();

    // The active-pair mix is what makes this test meaningful.
    const auto l = rv::comparability_matrix(group, rank);
    const auto terms = rv::pairwise_hinge_terms(y.detach(), l, margin);
    const auto mask = rv::comparable_upper_mask(l);
    const int64_t active = (terms.gt(0).logical_and(mask)).sum().item<int64_t>();
    EXPECT_GT(active, 0);
    EXPECT_LT(active, mask.sum().item<int64_t>());

    net->zero_grad();
    rv::SiameseOptions s;
    s.pairs_per_forward = v.pairs_per_forward;
    double naive_value = 0;
    if (v.chunked_backward) {
      naive_value = rv::siamese_ranking_backward(*net, images, group, rank, o, s);
    } else {
      const auto naive = rv::siamese_ranking_loss(*net, images, group, rank, o, s);
      naive_value = naive.item<double>();
      naive.backward();
    }
    EXPECT_NEAR(naive_value, efficient.item<double>(), 1e-10 * std::abs(efficient.item<double>()));
    expect_same_grads(g_efficient, grads());
  }
}

TEST(PairSampling, ModeNames) {
  for (auto mode : {rv::PairMode::Efficient, rv::PairMode::Random, rv::PairMode::Hard}) {
    EXPECT_EQ(rv::pair_mode_from_string(rv::to_string(mode)), mode);
  }
  EXPECT_EQ(rv::to_string(rv::PairMode::Hard), "hard");
  EXPECT_THROW(rv::pair_mode_from_string("Hardest"), rv::InputError);
}

TEST(PairSampling, RandomSelectsComparablePairsReproducibly) {
  const auto group = longs({0, 0, 0, 0, 0, 1, 1, 1, 2});
  const auto rank = longs({0, 1, 2, 3, 4, 0, 1, 2, 0});
  const auto l = rv::comparability_matrix(group, rank);
  const auto comparable = rv::comparable_upper_mask(l);
  ASSERT_EQ(comparable.sum().item<int64_t>(), 13);
  std::mt19937 a(5), b(5), c(6);
  const auto ma = rv::random_pair_mask(l, 4, a);
  EXPECT_EQ(ma.sum().item<int64_t>(), 4);
  EXPECT_TRUE(torch::equal(ma.logical_and(comparable), ma)) << "selected a non-comparable pair";
  EXPECT_TRUE(torch::equal(ma, rv::random_pair_mask(l, 4, b)));
  // Over a few draws a different seed must give a different selection.
  bool differs = false;
  for (int i = 0; i < 5 && !differs; ++i) differs = !torch::equal(rv::random_pair_mask(l, 4, a), rv::random_pair_mask(l, 4, c));
  EXPECT_TRUE(differs);
  EXPECT_TRUE(torch::equal(rv::random_pair_mask(l, 100, a), comparable));
  EXPECT_EQ(rv::random_pair_mask(l, 0, a).sum().item<int64_t>(), 0);
  EXPECT_THROW(rv::random_pair_mask(l, -1, a), rv::InputError);
}

TEST(PairSampling, RandomIsRoughlyUniform) {
  const auto l = rv::comparability_matrix(longs({0, 0, 0, 0}), longs({0, 1, 2, 3}));  // 6 pairs
  std::mt19937 rng(1);
  auto counts = torch::zeros({4, 4}, torch::kLong);
  for (int i = 0; i < 600; ++i) counts += rv::random_pair_mask(l, 2, rng).to(torch::kLong);
  const auto used = counts.masked_select(rv::comparable_upper_mask(l));
  // Each pair is picked with probability 1/3: 200 expected.
  EXPECT_GT(used.min().item<int64_t>(), 150);
  EXPECT_LT(used.max().item<int64_t>(), 250);
}

TEST(PairSampling, HardSelectsHighestLossPairs) {
  const auto y = doubles({0.0, 5.0, 1.0, 2.5, 7.0, 3.0, 9.0});
  const auto group = longs({0, 0, 0, 0, 1, 1, 1});
  const auto rank = longs({0, 1, 2, 3, 0, 1, 2});
  const auto l = rv::comparability_matrix(group, rank);
  const double margin = 0.25;
  const auto mask = rv::hard_pair_mask(y, l, 3, margin);
  EXPECT_EQ(mask.sum().item<int64_t>(), 3);
  // By hand: (1,2): 5−1+.25=4.25, (4,5): 7−3+.25=4.25 ... compute all and compare sets.
  const auto terms = rv::pairwise_hinge_terms(y, l, margin);
  const auto comparable = rv::comparable_upper_mask(l);
  const double lowest_selected = terms.masked_select(mask).min().item<double>();
  const double highest_rest = terms.masked_select(comparable.logical_and(mask.logical_not())).max().item<double>();
  EXPECT_GE(lowest_selected, highest_rest);
  // The three largest terms are (1,2)=4.25, (4,5)=4.25 and (1,3)=2.75.
  EXPECT_TRUE(mask.index({1, 2}).item<bool>());
  EXPECT_TRUE(mask.index({4, 5}).item<bool>());
  EXPECT_TRUE(mask.index({1, 3}).item<bool>());
  // The masked loss sums exactly those terms.
  const auto loss = rv::ranking_hinge_loss_masked(y, l, mask, opts(margin, rv::PairReduction::Sum));
  EXPECT_DOUBLE_EQ(loss.item<double>(), 4.25 + 4.25 + 2.75);
  EXPECT_TRUE(torch::equal(rv::hard_pair_mask(y, l, 1000, margin), comparable));
}

TEST(PairSampling, ModeLossUsesTheSameForwardPass) {
  auto y = doubles({0.0, 5.0, 1.0, 2.5}).requires_grad_(true);
  const auto group = longs({0, 0, 0, 0});
  const auto rank = longs({0, 1, 2, 3});
  std::mt19937 rng(2);
  const auto o = opts(0.0, rv::PairReduction::Mean);
  const auto all = rv::ranking_loss_for_mode(rv::PairMode::Efficient, y, group, rank, 1, o, rng);
  EXPECT_DOUBLE_EQ(all.item<double>(), rv::ranking_hinge_loss(y, group, rank, o).item<double>());
  // Hard with n=1: only (1,2), 5−1 = 4.
  const auto hard = rv::ranking_loss_for_mode(rv::PairMode::Hard, y, group, rank, 1, o, rng);
  EXPECT_DOUBLE_EQ(hard.item<double>(), 4.0);
  hard.backward();
  EXPECT_TRUE(torch::equal(y.grad(), doubles({0.0, 1.0, -1.0, 0.0})));
}

TEST(RegressionLoss, DensityEuclidean) {
  const auto pred = doubles({1, 2, 3, 4, 0, 0, 0, 0}).view({2, 1, 2, 2});
  const auto gt = doubles({1, 1, 1, 1, 1, 0, 0, 0}).view({2, 1, 2, 2});
  // image 0: 0+1+4+9 = 14; image 1: 1; mean over 2 images.
  EXPECT_DOUBLE_EQ(rv::density_euclidean_loss(pred, gt).item<double>(), 7.5);
  EXPECT_THROW(rv::density_euclidean_loss(pred, gt.view({2, 1, 4, 1})), rv::InputError);
}

TEST(RegressionLoss, QualityAndMultitask) {
  const auto q = rv::quality_regression_loss(doubles({1, 2, 3}), doubles({1, 4, 0}));
  EXPECT_DOUBLE_EQ(q.item<double>(), (0 + 4 + 9) / 3.0);
  EXPECT_THROW(rv::quality_regression_loss(doubles({1, 2}), doubles({1})), rv::InputError);
  EXPECT_DOUBLE_EQ(rv::multitask_loss(doubles({2.0}).sum(), doubles({0.5}).sum(), 100.0).item<double>(), 52.0);
  EXPECT_THROW(rv::multitask_loss(doubles({2.0}).sum(), doubles({0.5}).sum(), -1.0), rv::InputError);
}

}  // namespace

TEST(PooledDensityLoss, ChargesHazeMoreThanShifts) {
  // A haze of 0.01 per cell over 8x8 cells: per-cell loss 64e-4; on 2x2 sums
  // 16 x (0.04)^2, on 4x4 sums 4 x (0.16)^2: 4x and 16x the per-cell loss.
  const auto gt = torch::zeros({1, 1, 8, 8});
  const auto haze = torch::full({1, 1, 8, 8}, 0.01);
  EXPECT_NEAR(rv::density_euclidean_loss(haze, gt).item<double>(), 64e-4, 1e-9);
  EXPECT_NEAR(rv::pooled_density_loss(haze, gt, {2}).item<double>(), 4 * 64e-4, 1e-8);
  EXPECT_NEAR(rv::pooled_density_loss(haze, gt, {4}).item<double>(), 16 * 64e-4, 1e-8);
  EXPECT_NEAR(rv::pooled_density_loss(haze, gt).item<double>(), 20 * 64e-4, 1e-8);
  // One person moved by one cell inside a 2x2 block: per-cell loss 2, pooled 0 at both levels.
  auto a = torch::zeros({1, 1, 8, 8}), b = torch::zeros({1, 1, 8, 8});
  a[0][0][0][0] = 1.0;
  b[0][0][0][1] = 1.0;
  EXPECT_NEAR(rv::density_euclidean_loss(a, b).item<double>(), 2.0, 1e-9);
  EXPECT_NEAR(rv::pooled_density_loss(a, b).item<double>(), 0.0, 1e-9);
  EXPECT_THROW(rv::pooled_density_loss(a, b.view({1, 1, 4, 16})), rv::InputError);
  EXPECT_THROW(rv::pooled_density_loss(a, b, {0}), rv::InputError);
}

TEST(BackgroundL1Loss, ChargesDensityAwayFromThePeopleOnly) {
  // One person at cell (2, 2) of an 8x8 map (target 1 there): the cells within 2 of it are
  // near, the other 64 - 25 = 39 are background.
  auto gt = torch::zeros({2, 1, 8, 8});
  gt[0][0][2][2] = 1.0;
  const auto haze = torch::full({2, 1, 8, 8}, 0.01);
  // image 0: 39 background cells; image 1 (nobody): all 64; averaged over the 2 images
  EXPECT_NEAR(rv::background_l1_loss(haze, gt).item<double>(), (39 + 64) * 0.01 / 2, 1e-7);
  // negative density costs as much as positive; density near the person costs nothing
  EXPECT_NEAR(rv::background_l1_loss(-haze, gt).item<double>(), (39 + 64) * 0.01 / 2, 1e-7);
  auto near = torch::zeros({2, 1, 8, 8});
  near[0][0][4][4] = 5.0;
  near[0][0][0][0] = -3.0;
  EXPECT_NEAR(rv::background_l1_loss(near, gt).item<double>(), 0.0, 1e-9);
  near[0][0][5][5] = 0.5;  // 3 cells away
  EXPECT_NEAR(rv::background_l1_loss(near, gt).item<double>(), 0.25, 1e-7);
  // near = 0: only the person's own cell is exempt
  EXPECT_NEAR(rv::background_l1_loss(haze, gt, 0).item<double>(), (63 + 64) * 0.01 / 2, 1e-7);
  EXPECT_THROW(rv::background_l1_loss(haze, gt.view({2, 1, 4, 16})), rv::InputError);
  EXPECT_THROW(rv::background_l1_loss(haze, gt, -1), rv::InputError);
}
