#include "loss/pair_sampling.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "ranking/comparability.h"

namespace rv {

std::string to_string(PairMode mode) {
  switch (mode) {
    case PairMode::Efficient: return "efficient";
    case PairMode::Random: return "random";
    case PairMode::Hard: return "hard";
  }
  return "efficient";
}

PairMode pair_mode_from_string(const std::string& name) {
  if (name == "efficient") return PairMode::Efficient;
  if (name == "random") return PairMode::Random;
  if (name == "hard") return PairMode::Hard;
  throw_input_error("pair mode '" + name + "'", "expected 'efficient', 'random' or 'hard'");
}

int64_t count_comparable_pairs(const torch::Tensor& l) { return comparable_upper_mask(l).sum().item<int64_t>(); }

namespace {

void check_n(int64_t n) {
  if (n < 0) throw_input_error("pair count", "must be >= 0, got " + std::to_string(n));
}

// Flat indices (row * M + col) of the comparable upper pairs, on the CPU.
torch::Tensor comparable_flat_indices(const torch::Tensor& l) {
  return comparable_upper_mask(l).flatten().nonzero().view({-1}).to(torch::kCPU);
}

torch::Tensor mask_from_flat(const torch::Tensor& flat, const torch::Tensor& l) {
  auto mask = torch::zeros({l.numel()}, torch::TensorOptions().dtype(torch::kBool).device(l.device()));
  if (flat.numel() > 0) mask.index_fill_(0, flat.to(l.device()), true);
  return mask.view(l.sizes());
}

}  // namespace

torch::Tensor random_pair_mask(const torch::Tensor& l, int64_t n, std::mt19937& rng) {
  check_n(n);
  const auto flat = comparable_flat_indices(l);
  std::vector<int64_t> idx(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel());
  const auto take = static_cast<size_t>(std::min<int64_t>(n, static_cast<int64_t>(idx.size())));
  // Partial Fisher–Yates: the first `take` entries become a uniform sample.
  for (size_t i = 0; i < take; ++i) {
    std::uniform_int_distribution<size_t> pick(i, idx.size() - 1);
    std::swap(idx[i], idx[pick(rng)]);
  }
  idx.resize(take);
  return mask_from_flat(torch::tensor(idx, torch::kLong), l);
}

torch::Tensor hard_pair_mask(const torch::Tensor& y, const torch::Tensor& l, int64_t n, double margin) {
  check_n(n);
  torch::NoGradGuard no_grad;
  const auto flat = comparable_flat_indices(l);
  const int64_t take = std::min<int64_t>(n, flat.numel());
  if (take == 0) return mask_from_flat(flat.narrow(0, 0, 0), l);
  const auto terms = pairwise_hinge_terms(y.detach(), l, margin).flatten().to(torch::kCPU);
  const auto candidate = terms.index_select(0, flat);
  const auto top = std::get<1>(candidate.topk(take, /*dim=*/0, /*largest=*/true, /*sorted=*/true));
  return mask_from_flat(flat.index_select(0, top), l);
}

torch::Tensor select_pairs(PairMode mode, const torch::Tensor& y, const torch::Tensor& l, int64_t n, double margin,
                           std::mt19937& rng) {
  switch (mode) {
    case PairMode::Random: return random_pair_mask(l, n, rng);
    case PairMode::Hard: return hard_pair_mask(y, l, n, margin);
    case PairMode::Efficient: break;
  }
  return comparable_upper_mask(l);
}

torch::Tensor ranking_loss_for_mode(PairMode mode, const torch::Tensor& y, const torch::Tensor& group,
                                    const torch::Tensor& rank, int64_t n, const RankingLossOptions& options,
                                    std::mt19937& rng) {
  if (!y.defined() || y.dim() != 1) throw_input_error("ranking loss", "outputs y must be a 1-D tensor [M]");
  const auto l = comparability_matrix(group.to(y.device()), rank.to(y.device()));
  return ranking_hinge_loss_masked(y, l, select_pairs(mode, y, l, n, options.margin, rng), options);
}

}  // namespace rv
