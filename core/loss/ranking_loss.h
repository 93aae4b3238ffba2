#pragma once
// All-pairs ranking hinge loss of §3.3 (Eq. 8–13): every image of the
// mini-batch goes through the network once, and the loss layer forms all
// comparable pairs from the M outputs. Autograd of this vectorised form yields
// exactly the P-matrix gradient of Eq. 10–13: dL/dy_i = Σ_j a_ij, with
// a_ij = l_ij when the pair's hinge is active and 0 otherwise.
#include <torch/torch.h>

namespace rv {

enum class PairReduction {
  Sum,   // Eq. 4/8 literally: Σ over pairs
  Mean,  // Σ over pairs / number of pairs used (default: keeps λ of Eq. 5
         // independent of the batch composition, k and the pair mode)
};

struct RankingLossOptions {
  double margin = 0.0;  // ε of Eq. 4 (0 for counts, 10 for IQA on a 0–100 scale)
  PairReduction reduction = PairReduction::Mean;
};

// Hinge term of every pair, [M,M]: max(0, l_ij (y_i − y_j) + ε) for comparable
// pairs with i < j and 0 elsewhere. With l_ij = +1 when rank_i < rank_j the term
// is max(0, y_i − y_j + ε): it pushes the higher-ranked item j up and i down.
// y: [M] floating; l: [M,M] from comparability_matrix.
torch::Tensor pairwise_hinge_terms(const torch::Tensor& y, const torch::Tensor& l, double margin);

// L_rank over all comparable pairs of the batch.
// y: [M] network outputs (e.g. RankNet::scalar of the whole batch);
// group, rank: [M] integers (see ranking/comparability.h).
// A batch without comparable pairs gives a zero loss that still backpropagates.
torch::Tensor ranking_hinge_loss(const torch::Tensor& y, const torch::Tensor& group, const torch::Tensor& rank,
                                 const RankingLossOptions& options = {});

// Same loss restricted to the pairs selected by pair_mask ([M,M] bool; pairs
// that are not comparable or not i < j are ignored). Mean divides by the number
// of comparable pairs selected. Used by the random / hard pair ablations.
torch::Tensor ranking_hinge_loss_masked(const torch::Tensor& y, const torch::Tensor& l, const torch::Tensor& pair_mask,
                                        const RankingLossOptions& options = {});

}  // namespace rv
