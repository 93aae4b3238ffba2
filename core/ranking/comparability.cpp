#include "ranking/comparability.h"

#include "common/error.h"

namespace rv {

namespace {

void check_labels(const torch::Tensor& t, const char* name) {
  if (!t.defined()) throw_input_error(name, "tensor is undefined");
  if (t.dim() != 1) throw_input_error(name, "expected a 1-D tensor [M], got " + std::to_string(t.dim()) + " dims");
  if (at::isFloatingType(t.scalar_type()) || at::isComplexType(t.scalar_type()) || t.scalar_type() == torch::kBool) {
    throw_input_error(name, "expected an integer tensor");
  }
}

}  // namespace

torch::Tensor comparability_matrix(const torch::Tensor& group, const torch::Tensor& rank) {
  check_labels(group, "group");
  check_labels(rank, "rank");
  if (group.size(0) != rank.size(0)) {
    throw_input_error("group/rank", "sizes differ (" + std::to_string(group.size(0)) + " vs " +
                                        std::to_string(rank.size(0)) + ")");
  }
  const auto g = group.to(torch::kLong);
  const auto r = rank.to(torch::kLong);
  const auto same_group = g.unsqueeze(1) == g.unsqueeze(0);
  // sign(rank_j - rank_i): +1 when j ranks above i, 0 on ties and the diagonal.
  const auto order = (r.unsqueeze(0) - r.unsqueeze(1)).sign();
  return order * same_group.to(torch::kLong);
}

torch::Tensor comparable_upper_mask(const torch::Tensor& l) {
  if (!l.defined() || l.dim() != 2 || l.size(0) != l.size(1)) {
    throw_input_error("comparability matrix", "expected a square [M,M] tensor");
  }
  return torch::triu(l != 0, /*diagonal=*/1);
}

}  // namespace rv
