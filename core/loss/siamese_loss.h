#pragma once
// The conventional two-branch Siamese computation of L_rank, kept as the
// reference the efficient all-pairs loss is checked and timed against: for each
// comparable pair (i < j) the network runs on image i and on image j separately,
// so an image appearing in p pairs is forwarded p times.
#include <torch/torch.h>

#include <cstdint>

#include "loss/ranking_loss.h"
#include "model/network.h"

namespace rv {

// The comparable pairs (i < j) of l as [P,2] int64 (CPU), in row-major order.
torch::Tensor comparable_pairs(const torch::Tensor& l);

struct SiameseOptions {
  // Pairs stacked into one branch forward: 1 is the textbook Siamese network
  // (two forwards of one image per pair); larger values batch the two
  // branches (two forwards of pairs_per_forward images per chunk). The images
  // forwarded are the same either way: two per pair.
  int64_t pairs_per_forward = 1;
};

// L_rank with the graph to the network parameters, same terms and reduction as
// ranking_hinge_loss. images: [M,3,H,W]; group, rank: [M].
torch::Tensor siamese_ranking_loss(RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                                   const torch::Tensor& rank, const RankingLossOptions& options = {},
                                   const SiameseOptions& siamese = {});

// Same loss, but backpropagated chunk by chunk (gradients accumulate into the
// parameters' .grad), so memory stays that of one chunk, as in a Siamese
// trainer. Returns the loss value.
double siamese_ranking_backward(RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                                const torch::Tensor& rank, const RankingLossOptions& options = {},
                                const SiameseOptions& siamese = {});

}  // namespace rv
