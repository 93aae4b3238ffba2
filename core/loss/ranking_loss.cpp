#include "loss/ranking_loss.h"

#include "common/error.h"
#include "ranking/comparability.h"

namespace rv {

namespace {

void check_outputs(const torch::Tensor& y, const torch::Tensor& l) {
  if (!y.defined() || y.dim() != 1) throw_input_error("ranking loss", "outputs y must be a 1-D tensor [M]");
  if (!at::isFloatingType(y.scalar_type())) throw_input_error("ranking loss", "outputs y must be floating point");
  if (!l.defined() || l.dim() != 2 || l.size(0) != y.size(0) || l.size(1) != y.size(0)) {
    throw_input_error("ranking loss", "comparability matrix must be [M,M] with M = " + std::to_string(y.size(0)));
  }
}

torch::Tensor reduce(const torch::Tensor& terms, const torch::Tensor& used, const torch::Tensor& y,
                     PairReduction reduction) {
  // Multiplying by the mask (rather than indexing) keeps the graph dense and
  // the gradient of unused pairs exactly zero.
  auto total = (terms * used.to(terms.scalar_type())).sum();
  const int64_t count = used.sum().item<int64_t>();
  if (count == 0) return y.sum() * 0.0;  // no pairs: zero, but still part of the graph
  if (reduction == PairReduction::Mean) total = total / static_cast<double>(count);
  return total;
}

}  // namespace

torch::Tensor pairwise_hinge_terms(const torch::Tensor& y, const torch::Tensor& l, double margin) {
  check_outputs(y, l);
  const auto lf = l.to(y.options());
  // diff_ij = y_i − y_j, so l_ij diff_ij + ε is the argument of Eq. 6 for either order.
  const auto diff = y.unsqueeze(1) - y.unsqueeze(0);
  const auto terms = torch::relu(lf * diff + margin);
  return terms * comparable_upper_mask(l).to(y.scalar_type());
}

torch::Tensor ranking_hinge_loss(const torch::Tensor& y, const torch::Tensor& group, const torch::Tensor& rank,
                                 const RankingLossOptions& options) {
  if (!y.defined() || y.dim() != 1) throw_input_error("ranking loss", "outputs y must be a 1-D tensor [M]");
  if (group.defined() && group.dim() == 1 && group.size(0) != y.size(0)) {
    throw_input_error("ranking loss", "group has " + std::to_string(group.size(0)) + " items but y has " +
                                          std::to_string(y.size(0)));
  }
  const auto l = comparability_matrix(group.to(y.device()), rank.to(y.device()));
  return ranking_hinge_loss_masked(y, l, comparable_upper_mask(l), options);
}

torch::Tensor ranking_hinge_loss_masked(const torch::Tensor& y, const torch::Tensor& l, const torch::Tensor& pair_mask,
                                        const RankingLossOptions& options) {
  check_outputs(y, l);
  if (!pair_mask.defined() || pair_mask.sizes() != l.sizes()) {
    throw_input_error("ranking loss", "pair mask must have the shape of the comparability matrix");
  }
  const auto used = comparable_upper_mask(l).logical_and(pair_mask.to(torch::kBool));
  return reduce(pairwise_hinge_terms(y, l, options.margin), used, y, options.reduction);
}

}  // namespace rv
