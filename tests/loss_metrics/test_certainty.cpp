// Ranking certainty (Eq. 15) and least-certain selection (Algorithm 1) on
// hand-made network outputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <set>

#include "active/certainty.h"
#include "active/selection.h"
#include "common/error.h"

namespace {

torch::Tensor longs(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong); }

TEST(Certainty, PerfectAndReversedOrder) {
  // Two sets of 4 ranked items; values follow the ranks exactly.
  const auto group = longs({0, 0, 0, 0, 1, 1, 1, 1});
  const auto rank = longs({3, 2, 1, 0, 3, 2, 1, 0});
  const auto perfect = torch::tensor({9.0, 5.0, 2.0, 1.0, 0.4, 0.3, 0.2, 0.1});
  std::mt19937 rng(1);
  const auto pairs = rv::sample_ranked_pairs(group, rank, 12, rng);  // all 12 ordered pairs
  ASSERT_EQ(pairs.size(0), 12);
  EXPECT_DOUBLE_EQ(rv::ranking_certainty(perfect, rank, pairs), 1.0);
  EXPECT_DOUBLE_EQ(rv::ranking_certainty(-perfect, rank, pairs), 0.0);
  // Ties are not "correctly ordered" (strict <).
  EXPECT_DOUBLE_EQ(rv::ranking_certainty(torch::zeros({8}), rank, pairs), 0.0);
}

TEST(Certainty, FractionOfCorrectPairs) {
  // One set, ranks 0,1,2; values put item 2 below item 1: pairs (0<1) ok, (0<2) ok, (1<2) wrong.
  const auto rank = longs({0, 1, 2});
  const auto values = torch::tensor({0.0, 2.0, 1.0});
  const auto pairs = longs({0, 1, 0, 2, 1, 2, 1, 2}).view({4, 2});  // (1,2) twice
  EXPECT_DOUBLE_EQ(rv::ranking_certainty(values, rank, pairs), 0.5);
  EXPECT_THROW(rv::ranking_certainty(values, rank, longs({1, 0}).view({1, 2})), rv::InputError);
  EXPECT_THROW(rv::ranking_certainty(values, rank, longs({0, 3}).view({1, 2})), rv::InputError);
}

TEST(Certainty, SampledPairsAreOrderedWithinGroups) {
  const auto group = longs({0, 0, 0, 1, 1, 1, 1});
  const auto rank = longs({2, 1, 0, 0, 1, 2, 2});  // 3 + 5 = 8 ordered pairs
  std::mt19937 a(7), b(7);
  const auto pairs = rv::sample_ranked_pairs(group, rank, 6, a);
  ASSERT_EQ(pairs.size(0), 6);
  std::set<std::pair<int64_t, int64_t>> seen;
  for (int64_t i = 0; i < 6; ++i) {
    const int64_t lo = pairs[i][0].item<int64_t>(), hi = pairs[i][1].item<int64_t>();
    EXPECT_EQ(group[lo].item<int64_t>(), group[hi].item<int64_t>());
    EXPECT_LT(rank[lo].item<int64_t>(), rank[hi].item<int64_t>());
    seen.insert({lo, hi});
  }
  EXPECT_EQ(seen.size(), 6u) << "K below the number of pairs: no repeats";
  EXPECT_TRUE(torch::equal(pairs, rv::sample_ranked_pairs(group, rank, 6, b)));
  EXPECT_EQ(rv::sample_ranked_pairs(group, rank, 30, a).size(0), 30);
  EXPECT_THROW(rv::sample_ranked_pairs(group, rank, 0, a), rv::InputError);
  EXPECT_THROW(rv::sample_ranked_pairs(longs({0, 1}), longs({0, 1}), 3, a), rv::InputError);
}

TEST(Selection, LeastCertainFirst) {
  const std::vector<double> c = {0.9, 0.2, 0.5, 0.2, 1.0};
  EXPECT_EQ(rv::least_certain(c, 3), (std::vector<size_t>{1, 3, 2}));
  EXPECT_EQ(rv::least_certain(c, 10).size(), 5u);
  EXPECT_TRUE(rv::least_certain({}, 3).empty());
  // A cut inside a tie: the tied items taken are spread over the pool, not the first ones.
  EXPECT_EQ(rv::least_certain({1, 1, 1, 1, 1, 1, 1, 1, 0.5}, 3), (std::vector<size_t>{8, 2, 6}));
  EXPECT_EQ(rv::least_certain({1, 1, 1, 1}, 4), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_THROW(rv::least_certain({0.1, std::nan("")}, 1), rv::InputError);
}

}  // namespace
