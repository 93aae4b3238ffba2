#include "loss/siamese_loss.h"

#include <algorithm>
#include <functional>

#include "common/error.h"
#include "ranking/comparability.h"

namespace rv {

torch::Tensor comparable_pairs(const torch::Tensor& l) { return comparable_upper_mask(l).nonzero().to(torch::kCPU); }

namespace {

// Calls visit(chunk_loss) for each chunk of pairs; chunk losses sum to L_rank.
// Returns the number of pairs.
int64_t for_each_chunk(RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                       const torch::Tensor& rank, const RankingLossOptions& options, const SiameseOptions& siamese,
                       const std::function<void(const torch::Tensor&)>& visit) {
  if (!images.defined() || images.dim() != 4) throw_input_error("siamese loss", "images must be [M,3,H,W]");
  if (group.defined() && group.dim() == 1 && group.size(0) != images.size(0)) {
    throw_input_error("siamese loss", "group has " + std::to_string(group.size(0)) + " items but there are " +
                                          std::to_string(images.size(0)) + " images");
  }
  if (siamese.pairs_per_forward < 1) throw_input_error("siamese loss", "pairs_per_forward must be >= 1");
  const auto l = comparability_matrix(group, rank).to(torch::kCPU);
  const auto pairs = comparable_pairs(l);
  const int64_t count = pairs.size(0);
  const double scale = (options.reduction == PairReduction::Mean && count > 0) ? 1.0 / static_cast<double>(count) : 1.0;
  for (int64_t start = 0; start < count; start += siamese.pairs_per_forward) {
    const int64_t n = std::min(siamese.pairs_per_forward, count - start);
    const auto chunk = pairs.narrow(0, start, n);
    const auto first = chunk.select(1, 0);
    const auto second = chunk.select(1, 1);
    const auto sign = l.index({first, second}).to(images.device());
    // Two branches with shared weights: two separate forward passes.
    const auto y_first = net.scalar(images.index_select(0, first.to(images.device())));
    const auto y_second = net.scalar(images.index_select(0, second.to(images.device())));
    const auto terms = torch::relu(sign.to(y_first.scalar_type()) * (y_first - y_second) + options.margin);
    visit(terms.sum() * scale);
  }
  return count;
}

}  // namespace

torch::Tensor siamese_ranking_loss(RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                                   const torch::Tensor& rank, const RankingLossOptions& options,
                                   const SiameseOptions& siamese) {
  torch::Tensor total;
  for_each_chunk(net, images, group, rank, options, siamese, [&](const torch::Tensor& chunk_loss) {
    total = total.defined() ? total + chunk_loss : chunk_loss;
  });
  if (!total.defined()) {
    // No comparable pair: zero, connected to the parameters like the efficient loss.
    torch::Tensor zero;
    for (const auto& p : net.parameters()) {
      zero = p.sum() * 0.0;
      break;
    }
    return zero.defined() ? zero : torch::zeros({}, images.options());
  }
  return total;
}

double siamese_ranking_backward(RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                                const torch::Tensor& rank, const RankingLossOptions& options,
                                const SiameseOptions& siamese) {
  double total = 0.0;
  for_each_chunk(net, images, group, rank, options, siamese, [&](const torch::Tensor& chunk_loss) {
    chunk_loss.backward();
    total += chunk_loss.item<double>();
  });
  return total;
}

}  // namespace rv
