#pragma once
// The counting trainer: multi-task loss of Eq. 5 on CPU or GPU.
// Each iteration draws
//   - `batch` multi-scale labelled patches (§5.3) with density targets at the
//     network's output resolution → Euclidean loss L_c (Eq. 17),
//   - `rank_sets` nested crop sets (Algorithm 2) from the unlabelled pool →
//     all-pairs ranking loss L_rank with group = crop set (only crops of one
//     set are nested, so only they are comparable), pair mode efficient /
//     random / hard,
// and both go through the network in ONE forward pass (same input size), so
// batch-norm statistics see both kinds of input and the crops cost nothing
// extra in launches. For per-camera adaptation two more terms exist:
//   - whole frames with a known count → (Σ map − count)² + (Σ max(0, −map))²
//     ("frame" loss: the count, and no negative density to cancel a haze with),
//   - an anchor: (y − y_base)² of the crops against the frozen base network,
//     which keeps an adaptation without labels from drifting.
// And for fine-tuning a model without moving its density off what it saw:
//   - teacher patches: random patches of the unlabelled pool whose density target is
//     the frozen base network's own map (the Euclidean loss of L_c, per cell; with a
//     floor, only on the cells where the teacher sees nobody near).
// L = L_c + λ L_rank + w_frame L_frame + w_anchor L_anchor + w_teacher L_teacher, where L_c
// may add w_count × (Σ map − count)² per labelled patch (--count-weight).
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <functional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "loss/pair_sampling.h"
#include "ranking/nested_crops.h"
#include "data/labelled_set.h"
#include "train/optimiser.h"

namespace rv {

class Distributed;

struct CountedFrame {
  std::string name;
  cv::Mat image;      // BGR, at the training scale
  double count = 0;   // people (inside the mask when there is one)
  cv::Mat mask;       // optional CV_8U at the network's output grid (cells counted); empty = all
  bool every_batch = false;  // in every iteration's batch, besides the frame_batch drawn at random
  // Further regions of the same frame with their own counts (CV_8U masks at the image's size), each a
  // squared error of its own: one forward pass checks them all (adapt --motion-singles: lone walkers).
  std::vector<std::pair<cv::Mat, double>> regions;
};

struct CountTrainData {
  std::vector<LabelledImage> labelled;
  std::vector<LabelledImage> validation;
  std::vector<cv::Mat> unlabelled;  // pool for ranked nested crops
  std::vector<CountedFrame> counted;
};

struct CountTrainOptions {
  long iterations = 1000;
  int input_size = 224;          // side of labelled patches and ranked crops (multiple of 16)
  int patch_min = 56, patch_max = 448;
  int batch = 8;                 // labelled patches per iteration (global, over all ranks)
  int rank_sets = 3;             // nested crop sets per iteration (global)
  int frame_batch = 1;           // counted frames per iteration (global)
  NestedCropOptions crops;       // k, s, r; out_size is set to input_size
  bool rank = true;
  double lambda = 1.0;
  PairMode pairs = PairMode::Efficient;
  long pair_count = 0;           // pairs for random/hard (0 = half of the comparable pairs)
  double frame_weight = 1.0;
  double anchor_weight = 0.0;
  int teacher_batch = 0;         // teacher patches per iteration (global; needs the base network)
  double teacher_weight = 1.0;
  double teacher_floor = 0.0;    // > 0: the teacher loss only where its map (max over 5x5 cells) is below this
  // L2-SP: + trunk_anchor x the sum of (theta - theta_start)^2 over the trainable trunk parameters, theta_start
  // their values when this run starts (on --resume: the checkpoint's). Keeps a fine-tuned trunk near its start.
  double trunk_anchor = 0.0;
  bool freeze_bn = false;        // keep batch norm in eval mode (adaptation)
  bool flip = true;              // horizontal flips of labelled patches
  double color_jitter = 0.0;     // saturation, contrast and brightness of labelled patches x U[1-j, 1+j]
  double background = 0.0;       // fraction of labelled patches redrawn until they hold nobody
  double count_weight = 0.0;     // + count_weight x (patch count error)^2, averaged over patches
  double pooled_weight = 0.0;    // + pooled_weight x the density loss on 2x2- and 4x4-cell sums
  double background_l1 = 0.0;    // + background_l1 x the absolute density on cells with no head within 2 cells
  // Loss of the labelled patches: false = per-cell Euclidean loss on Gaussian targets (Eq. 17);
  // true = the Bayesian loss on the head points (loss/bayesian_loss.h), plus the patch's negative mass.
  bool bayesian = false;
  double bayes_sigma = 4.0;      // posterior Gaussian, pixels of the (input-scaled) training image
  double bayes_background = 0.15;  // background distance as a fraction of the patch side (0 = none)
  double clip_norm = 0.0;        // 0 = no gradient clipping
  OptimiserOptions optimiser;
  uint32_t seed = 1;
  long val_every = 0;            // 0 = only at the end (when there is a validation set)
  long checkpoint_every = 0;     // 0 = only at the end / on Ctrl-C
  long stop_after = 0;           // stop as if interrupted after this many iterations (0 = never)
  std::string checkpoint_path;   // "" = no checkpoints
  std::string resume_path;       // a checkpoint to continue from (its weights already in the bundle)
  nlohmann::json resume_state;   // its training_state (iteration, rng)
  std::string log_path;
  long log_every = 10;
  bool progress = true;
  std::string device = "cpu";
};

struct CountTrainResult {
  long iterations_done = 0;
  bool interrupted = false;
  nlohmann::json last_validation;  // {"mae","mse","n"} or null
  double seconds = 0;
  double iterations_per_second = 0;
};

// Validation on whole images (eval mode, no gradients): MAE and root MSE.
nlohmann::json validate_counts(RankNet& net, const std::vector<LabelledImage>& images, const torch::Device& device);

// Trains bundle.net in place. `anchor` (may be null) is the frozen base network of the
// anchor term and of the teacher patches. `dist` (may be null) for data-parallel runs; only rank 0 writes
// checkpoints, logs and progress. Throws rv::InputError for inconsistent
// options or data (no labelled and no ranked data, batch not divisible by the
// world size, ...).
CountTrainResult train_count(ModelBundle& bundle, const CountTrainData& data, CountTrainOptions options,
                             RankNetPtr anchor = nullptr, Distributed* dist = nullptr);

}  // namespace rv
