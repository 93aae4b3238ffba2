#include "train/count_trainer.h"

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "data/patch_sampler.h"
#include "data/tensor_convert.h"
#include "engine/device.h"
#include "loss/bayesian_loss.h"
#include "loss/regression_loss.h"
#include "metrics/metrics.h"
#include "model/mobilenet.h"
#include "train/checkpoint.h"
#include "train/count_data.h"
#include "train/distributed.h"
#include "train/jsonl_log.h"
#include "train/progress.h"
#include "train/stop_signal.h"

namespace rv {

namespace {

cv::Mat cut_resized(const cv::Mat& image, const cv::Rect& rect, int size, bool flip) {
  cv::Mat out;
  const cv::Rect r = rect & cv::Rect(0, 0, image.cols, image.rows);
  cv::resize(image(r), out, cv::Size(size, size), 0, 0, r.width > size ? cv::INTER_AREA : cv::INTER_LINEAR);
  if (flip) cv::flip(out, out, 1);
  return out;
}

std::string fmt(double v) {
  std::ostringstream o;
  o.precision(4);
  o << v;
  return o.str();
}

void set_mode(RankNet& net, bool train, bool freeze_bn) { net.train(train && !freeze_bn); }

bool has_point_in(const Points& points, const cv::Rect& rect) {
  for (const auto& p : points)
    if (p.x >= rect.x && p.x < rect.x + rect.width && p.y >= rect.y && p.y < rect.y + rect.height) return true;
  return false;
}

torch::Tensor points_tensor(const Points& points) {
  auto t = torch::empty({static_cast<int64_t>(points.size()), 2}, torch::kFloat);
  auto a = t.accessor<float, 2>();
  for (size_t i = 0; i < points.size(); ++i) a[static_cast<int64_t>(i)][0] = points[i].x, a[static_cast<int64_t>(i)][1] = points[i].y;
  return t;
}

// Head points of a square crop resized to out_size (patch pixels), mirrored like the patch.
Points patch_points(const Points& points, const cv::Rect& rect, int out_size, bool flip) {
  Points out = crop_points(points, rect, out_size);
  if (flip) mirror_points(out, out_size);
  return out;
}

// Mean over the patches of the Bayesian loss (sigma grows with the patch's zoom, so it stays the same
// size on the people) plus each patch's negative mass: the head is linear, and without that term a
// patch's shares could be met by cancelling positive density with negative density elsewhere.
torch::Tensor bayesian_batch_loss(const torch::Tensor& dense, const std::vector<torch::Tensor>& heads,
                                  const std::vector<double>& zooms, int stride, const CountTrainOptions& o) {
  auto total = torch::zeros({}, dense.options());
  for (int64_t i = 0; i < dense.size(0); ++i) {
    BayesianLossOptions bo;
    bo.sigma = o.bayes_sigma * zooms[static_cast<size_t>(i)];
    bo.background_distance = o.bayes_background * static_cast<double>(o.input_size);
    const auto d = dense[i];
    total = total + bayesian_count_loss(d, heads[static_cast<size_t>(i)].to(dense.device()), stride, bo) +
            torch::relu(-d).sum();
  }
  return total / static_cast<double>(dense.size(0));
}

}  // namespace

nlohmann::json validate_counts(RankNet& net, const std::vector<LabelledImage>& images, const torch::Device& device) {
  if (images.empty()) return nullptr;
  const bool was_training = net.is_training();
  net.eval();
  torch::NoGradGuard no_grad;
  std::vector<double> truth, predicted;
  for (const auto& li : images) {
    const auto x = image_to_tensor(li.image).to(device);
    predicted.push_back(net.scalar(x).item<double>());
    truth.push_back(li.count());
  }
  net.train(was_training);
  const auto m = count_metrics(truth, predicted);
  return {{"mae", m.mae}, {"mse", m.mse}, {"n", images.size()}};
}

namespace {

// What train_count trains on, decided once from the options and the data, and
// this rank's slice of each global batch (labelled patches, crop sets, frames).
struct CountPlan {
  bool use_labelled = false, use_rank = false, use_frames = false, use_teacher = false;
  std::pair<long, long> lab_slice, set_slice, frame_slice, teacher_slice;
};

// Checks the options against the network's stride and the data (rv::InputError
// naming the flag), sets the crop size to the input size, and plans the batches.
CountPlan plan_count_training(CountTrainOptions& o, const CountTrainData& data, int stride, int rank_id, int world,
                              bool have_base) {
  if (o.iterations < 1) throw InputError("--iterations: must be >= 1");
  if (o.input_size < stride || o.input_size % stride != 0)
    throw InputError("--input-size " + std::to_string(o.input_size) + ": must be a positive multiple of " +
                     std::to_string(stride));
  o.crops.out_size = o.input_size;
  validate(o.crops);
  validate(o.optimiser);
  if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw InputError("--lambda: must be >= 0");
  if (o.teacher_batch > 0 && !have_base) throw InputError("--teacher-batch: needs a teacher network (--teacher)");
  if (o.teacher_batch > 0 && data.unlabelled.empty())
    throw InputError("--teacher-batch: needs unlabelled images (--unlabeled-images or --unlabeled-video)");
  CountPlan plan;
  plan.use_labelled = !data.labelled.empty() && o.batch > 0;
  plan.use_rank = o.rank && !data.unlabelled.empty() && o.rank_sets > 0 && (o.lambda > 0 || o.anchor_weight > 0);
  plan.use_frames = !data.counted.empty() && o.frame_batch > 0 && o.frame_weight > 0;
  plan.use_teacher = o.teacher_batch > 0 && o.teacher_weight > 0;
  if (!plan.use_labelled && !plan.use_rank && !plan.use_frames && !plan.use_teacher)
    throw InputError("nothing to train on: give labelled images, counted frames or unlabelled sources for ranking");
  plan.lab_slice = rank_slice(plan.use_labelled ? o.batch : 0, rank_id, world, "--batch");
  plan.set_slice = rank_slice(plan.use_rank ? o.rank_sets : 0, rank_id, world, "--rank-sets");
  plan.frame_slice = rank_slice(plan.use_frames ? o.frame_batch : 0, rank_id, world, "--frame-batch");
  plan.teacher_slice = rank_slice(plan.use_teacher ? o.teacher_batch : 0, rank_id, world, "--teacher-batch");
  return plan;
}

// Restores the training state of o.resume_path other than the weights (the
// caller loaded those into the bundle): generator and optimiser. Returns the
// iteration to continue from.
long resume_count_state(const CountTrainOptions& o, std::mt19937& rng, torch::optim::Optimizer& optimiser) {
  const auto state = o.resume_state.is_object() ? o.resume_state : nlohmann::json::object();
  const long start = state.value("iteration", 0L);
  if (state.contains("rng")) restore_rng_state(rng, state["rng"].get<std::string>());
  load_optimiser_state(o.resume_path, optimiser);
  if (start >= o.iterations)
    throw InputError("--resume " + o.resume_path + ": already at iteration " + std::to_string(start) +
                     ", --iterations must be larger");
  return start;
}

// What every iteration of train_count needs, fixed before the loop.
struct CountContext {
  const CountTrainOptions& o;
  const CountTrainData& data;
  CountPlan plan;
  int stride;
  int rank_id;
  bool main_rank;
  bool need_targets;  // Gaussian cell targets
  PatchOptions patch;
  std::vector<int> group_rank;  // rank of each crop of a nested set
  torch::Device device;
};

// One iteration's inputs on this rank: labelled patches first, then the crops of the ranked sets,
// then the teacher patches.
struct CountBatch {
  std::vector<cv::Mat> inputs;
  std::vector<cv::Mat> targets;
  std::vector<torch::Tensor> patch_heads;  // Bayesian loss: head points in patch pixels
  std::vector<double> zooms;
  long n_lab = 0;                      // labelled patches at the front of inputs
  long n_teacher = 0;                  // teacher patches at the back of inputs
  std::vector<int64_t> groups, ranks;  // of the crops
  std::vector<size_t> frames;          // indices into data.counted
};

bool should_stop(long it, const CountTrainOptions& o, Distributed* dist) {
  double stop = stop_requested() ? 1.0 : 0.0;
  if (dist) stop = dist->max(stop);
  if (o.stop_after > 0 && it >= o.stop_after) stop = 1.0;  // planned stop: same as Ctrl-C here
  return stop > 0;
}

void draw_labelled_patches(const CountContext& c, std::mt19937& rng, CountBatch& b) {
  const auto& o = c.o;
  const auto& data = c.data;
  for (int i = 0; c.plan.use_labelled && i < o.batch; ++i) {
    const auto& li = data.labelled[std::uniform_int_distribution<size_t>(0, data.labelled.size() - 1)(rng)];
    cv::Rect rect = sample_patch_rect(li.image.size(), c.patch, rng);
    // Background patches: redraw (a few times) until the patch holds nobody.
    if (o.background > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < o.background) {
      for (int tries = 0; tries < 20 && has_point_in(li.points, rect); ++tries)
        rect = sample_patch_rect(li.image.size(), c.patch, rng);
    }
    const bool flip = o.flip && std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    const ColorJitter jitter = draw_color_jitter(o.color_jitter, rng);  // drawn on every rank: same sequence
    if (i < c.plan.lab_slice.first || i >= c.plan.lab_slice.second) continue;
    b.inputs.push_back(cut_resized(li.image, rect, o.input_size, flip));
    apply_color_jitter(b.inputs.back(), jitter);
    if (c.need_targets) b.targets.push_back(cell_density_target(li, cv::Rect2d(rect), o.input_size, c.stride, flip));
    if (o.bayesian) {
      b.patch_heads.push_back(points_tensor(patch_points(li.points, rect, o.input_size, flip)));
      b.zooms.push_back(static_cast<double>(o.input_size) / rect.width);
    }
  }
  b.n_lab = static_cast<long>(b.inputs.size());
}

void draw_ranked_crops(const CountContext& c, std::mt19937& rng, CountBatch& b) {
  const auto& o = c.o;
  for (int s = 0; c.plan.use_rank && s < o.rank_sets; ++s) {
    const auto& img = c.data.unlabelled[std::uniform_int_distribution<size_t>(0, c.data.unlabelled.size() - 1)(rng)];
    const auto rects = nested_crop_rects(img.size(), o.crops, rng);
    if (s < c.plan.set_slice.first || s >= c.plan.set_slice.second) continue;
    for (int i = 0; i < o.crops.k; ++i) {
      b.inputs.push_back(cut_resized(img, nested_crop_pixel_rect(rects[i], img.size()), o.input_size, false));
      b.groups.push_back(s);
      b.ranks.push_back(c.group_rank[i]);
    }
  }
}

// Random patches of the unlabelled pool, cut, flipped and jittered as labelled patches are; their
// target is the base network's map, computed in the loss.
void draw_teacher_patches(const CountContext& c, std::mt19937& rng, CountBatch& b) {
  const auto& pool = c.data.unlabelled;
  for (int i = 0; c.plan.use_teacher && i < c.o.teacher_batch; ++i) {
    const auto& img = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
    const cv::Rect rect = sample_patch_rect(img.size(), c.patch, rng);
    const bool flip = c.o.flip && std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    const ColorJitter jitter = draw_color_jitter(c.o.color_jitter, rng);
    if (i < c.plan.teacher_slice.first || i >= c.plan.teacher_slice.second) continue;
    b.inputs.push_back(cut_resized(img, rect, c.o.input_size, flip));
    apply_color_jitter(b.inputs.back(), jitter);
    ++b.n_teacher;
  }
}

void draw_counted_frames(const CountContext& c, std::mt19937& rng, CountBatch& b) {
  const auto& counted = c.data.counted;
  for (int f = 0; c.plan.use_frames && f < c.o.frame_batch; ++f) {
    const size_t idx = std::uniform_int_distribution<size_t>(0, counted.size() - 1)(rng);
    if (f >= c.plan.frame_slice.first && f < c.plan.frame_slice.second) b.frames.push_back(idx);
  }
  // Frames marked every_batch (the empty scene of a fixed camera) join every batch of the main rank.
  for (size_t idx = 0; c.plan.use_frames && c.main_rank && idx < counted.size(); ++idx)
    if (counted[idx].every_batch) b.frames.push_back(idx);
}

// Plans the whole global batch with the shared generator (identical on all
// ranks), then cuts only this rank's slice.
CountBatch draw_count_batch(const CountContext& c, std::mt19937& rng) {
  CountBatch b;
  draw_labelled_patches(c, rng, b);
  draw_ranked_crops(c, rng, b);
  draw_teacher_patches(c, rng, b);
  draw_counted_frames(c, rng, b);
  return b;
}

// The loss of the labelled patches (`dense` holds their outputs).
torch::Tensor labelled_patch_loss(const torch::Tensor& dense, const CountBatch& b, const CountContext& c) {
  const auto& o = c.o;
  const auto target = c.need_targets ? densities_to_tensor(b.targets).to(c.device) : torch::Tensor();
  auto loss_c = o.bayesian ? bayesian_batch_loss(dense, b.patch_heads, b.zooms, c.stride, o)
                           : density_euclidean_loss(dense, target);
  if (o.count_weight > 0) {
    // The per-cell loss barely sees a thin haze of density over the
    // background, but the count does: penalise each patch's count error too.
    const auto counts = dense.sum({1, 2, 3});
    loss_c = loss_c + o.count_weight * (counts - target.sum({1, 2, 3})).pow(2).mean();
  }
  if (o.pooled_weight > 0) {
    loss_c = loss_c + o.pooled_weight * pooled_density_loss(dense, target);
  }
  if (o.background_l1 > 0) loss_c = loss_c + o.background_l1 * background_l1_loss(dense, target);
  return loss_c;
}

// The loss of the counted frames: squared count error plus squared negative mass, averaged.
torch::Tensor counted_frame_loss(RankNet& net, const CountBatch& b, const CountContext& c) {
  auto loss_f = torch::zeros({}, torch::TensorOptions().device(c.device));
  for (size_t idx : b.frames) {
    const auto& cf = c.data.counted[idx];
    auto d = net.dense(image_to_tensor(cf.image).to(c.device));
    torch::Tensor counted = d[0][0];
    if (!cf.mask.empty()) counted = counted * mask_to_grid(cf.mask, d.size(2), d.size(3)).to(c.device);
    // The count is the map's sum, and no negative density may buy it: without the second term a
    // frame's count can be met by cancelling density on the background with negative density
    // elsewhere (the head is linear), and the map stops saying where the people are.
    const auto negative_mass = torch::relu(-counted).sum();
    loss_f = loss_f + (counted.sum() - cf.count).pow(2) + negative_mass.pow(2);
    for (const auto& [mask, count] : cf.regions)
      loss_f = loss_f + ((d[0][0] * mask_to_grid(mask, d.size(2), d.size(3)).to(c.device)).sum() - count).pow(2);
  }
  return loss_f / static_cast<double>(b.frames.size());
}

// The loss of the teacher patches against the base network's maps (target). floor 0: the Euclidean loss on
// every cell. floor > 0: only on the cells where the target, max-pooled over 5×5 cells, stays below floor:
// where the teacher sees nobody near, the student must not either; where it sees people, the labelled
// patches alone say how many.
torch::Tensor teacher_patch_loss(const torch::Tensor& dense, const torch::Tensor& target, double floor) {
  if (floor <= 0) return density_euclidean_loss(dense, target);
  const auto empty = (torch::max_pool2d(target, {5, 5}, {1, 1}, {2, 2}) < floor).to(dense.scalar_type());
  return density_euclidean_loss(dense * empty, target * empty);
}

// L2-SP: the trainable trunk parameters and a copy of their values at the start.
struct TrunkAnchor {
  std::vector<torch::Tensor> params, start;
  torch::Tensor loss() const {
    auto sum = torch::zeros({}, params.front().options());
    for (size_t i = 0; i < params.size(); ++i) sum = sum + (params[i] - start[i]).pow(2).sum();
    return sum;
  }
};

TrunkAnchor trunk_anchor_of(RankNet& net, double weight) {
  TrunkAnchor a;
  if (weight <= 0) return a;
  for (const auto& p : split_trunk_parameters(net).trunk)
    if (p.requires_grad()) a.params.push_back(p), a.start.push_back(p.detach().clone());
  if (a.params.empty()) throw InputError("--trunk-anchor: the network has no trainable trunk parameters");
  return a;
}

// The total loss of one iteration and its logged parts.
struct StepLosses {
  torch::Tensor total;
  double count = 0, rank = 0, frame = 0, anchor = 0, teacher = 0;
};

// Adds the terms of the ranked crops (outputs y, inputs x_crops): λ × ranking loss, and the anchor term.
void add_crop_losses(const torch::Tensor& y, const torch::Tensor& x_crops, const CountBatch& b, const CountContext& c,
                     const RankNetPtr& anchor, long it, StepLosses& l) {
  const auto& o = c.o;
  const long n_crops = static_cast<long>(y.size(0));
  if (o.lambda > 0) {
    const auto g = torch::tensor(b.groups, torch::kLong).to(c.device);
    const auto r = torch::tensor(b.ranks, torch::kLong).to(c.device);
    const long per_set = o.crops.k * (o.crops.k - 1) / 2;
    const long n_pairs = o.pair_count > 0 ? o.pair_count : std::max(1L, per_set * n_crops / o.crops.k / 2);
    // Own generator per rank and iteration: pair draws never desynchronise the batch plan.
    std::mt19937 pair_rng(o.seed * 7919u + static_cast<uint32_t>(it) * 104729u + static_cast<uint32_t>(c.rank_id));
    RankingLossOptions ro;
    const auto loss_r = ranking_loss_for_mode(o.pairs, y, g, r, n_pairs, ro, pair_rng);
    l.total = l.total + o.lambda * loss_r;
    l.rank = loss_r.item<double>();
  }
  if (anchor && o.anchor_weight > 0) {
    torch::Tensor y_base;
    {
      torch::NoGradGuard no_grad;
      y_base = anchor->scalar(x_crops);
    }
    const auto loss_a = (y - y_base).pow(2).mean();
    l.total = l.total + o.anchor_weight * loss_a;
    l.anchor = loss_a.item<double>();
  }
}

// Forward pass of one batch (patches and crops together) and the frames: every loss term of Eq. 5 and more.
StepLosses count_step_losses(RankNet& net, const RankNetPtr& anchor, const CountBatch& b, const CountContext& c,
                             long it) {
  StepLosses l;
  l.total = torch::zeros({}, torch::TensorOptions().device(c.device));
  if (!b.inputs.empty()) {
    const auto x = images_to_tensor(b.inputs).to(c.device);
    const auto dense = net.dense(x);
    if (b.n_lab > 0) {
      const auto loss_c = labelled_patch_loss(dense.narrow(0, 0, b.n_lab), b, c);
      l.total = l.total + loss_c;
      l.count = loss_c.item<double>();
    }
    const long n_crops = static_cast<long>(b.inputs.size()) - b.n_lab - b.n_teacher;
    if (n_crops > 0) {
      const auto y = dense.narrow(0, b.n_lab, n_crops).sum({1, 2, 3});
      add_crop_losses(y, x.narrow(0, b.n_lab, n_crops), b, c, anchor, it, l);
    }
    if (b.n_teacher > 0) {
      const long first = b.n_lab + n_crops;
      torch::Tensor target;
      {
        torch::NoGradGuard no_grad;
        target = anchor->dense(x.narrow(0, first, b.n_teacher));
      }
      const auto loss_t = teacher_patch_loss(dense.narrow(0, first, b.n_teacher), target, c.o.teacher_floor);
      l.total = l.total + c.o.teacher_weight * loss_t;
      l.teacher = loss_t.item<double>();
    }
  }
  if (!b.frames.empty()) {
    const auto loss_f = counted_frame_loss(net, b, c);
    l.total = l.total + c.o.frame_weight * loss_f;
    l.frame = loss_f.item<double>();
  }
  return l;
}

// Sums of the logged losses (total, count, rank, frame, anchor, teacher) since the last log record.
struct LossSums {
  double loss = 0, count = 0, rank = 0, frame = 0, anchor = 0, teacher = 0;
  long n = 0;
  void add(const std::vector<double>& l) {
    loss += l[0], count += l[1], rank += l[2], frame += l[3], anchor += l[4], teacher += l[5];
    ++n;
  }
};

// Writes the mean losses since the last record and starts new sums.
void write_loss_record(JsonlLog& log, LossSums& sums, long done, double lr, double secs, const CountContext& c,
                       bool anchor) {
  const long n_sum = sums.n;
  nlohmann::json rec = {{"iter", done},
                        {"loss", sums.loss / n_sum},
                        {"count_loss", sums.count / n_sum},
                        {"rank_loss", sums.rank / n_sum},
                        {"lr", lr},
                        {"time_s", secs}};
  if (c.plan.use_frames) rec["frame_loss"] = sums.frame / n_sum;
  if (anchor) rec["anchor_loss"] = sums.anchor / n_sum;
  if (c.plan.use_teacher) rec["teacher_loss"] = sums.teacher / n_sum;
  log.write(rec);
  sums = LossSums{};
}

// Validates on data.validation into result.last_validation and logs it as iteration `iter`.
void validate_and_log(RankNet& net, const CountContext& c, long iter, JsonlLog& log, CountTrainResult& result) {
  result.last_validation = validate_counts(net, c.data.validation, c.device);
  auto rec = result.last_validation;
  rec["iter"] = iter;
  rec["split"] = "val";
  log.write(rec);
}

std::string progress_message(const std::vector<double>& losses, const CountContext& c,
                             const nlohmann::json& last_validation) {
  std::string msg = "loss " + fmt(losses[0]);
  if (c.plan.use_labelled) msg += " count " + fmt(losses[1]);
  if (c.plan.use_rank && c.o.lambda > 0) msg += " rank " + fmt(losses[2]);
  if (c.plan.use_frames) msg += " frame " + fmt(losses[3]);
  if (c.plan.use_teacher) msg += " teacher " + fmt(losses[5]);
  if (!last_validation.is_null()) msg += " val_mae " + fmt(last_validation["mae"].get<double>());
  return msg;
}

// Writes o.checkpoint_path after `done` iterations: the weights (saved from the
// CPU; the network goes back to `device`, in eval mode), optimiser, generator.
void save_count_checkpoint(ModelBundle& bundle, torch::optim::Optimizer& optimiser, const std::mt19937& rng,
                           const CountTrainOptions& o, const torch::Device& device, long done) {
  RankNet& net = *bundle.net;
  nlohmann::json state = {{"iteration", done}, {"rng", rng_state(rng)}, {"seed", o.seed}};
  set_mode(net, false, o.freeze_bn);
  ModelBundle copy = bundle;
  net.to(torch::kCPU);
  save_checkpoint(o.checkpoint_path, copy, optimiser, state);
  net.to(device);
}

}  // namespace

CountTrainResult train_count(ModelBundle& bundle, const CountTrainData& data, CountTrainOptions o,
                             RankNetPtr anchor, Distributed* dist) {
  if (bundle.meta.spec.arch == "centernet_peaks")
    throw InputError("architecture 'centernet_peaks' counts a detector's peaks and has nothing to train: "
                     "fit its thresholds with `rankvision adapt --iterations 0 --frame-counts CSV`");
  const int rank_id = dist ? dist->rank() : 0, world = dist ? dist->world_size() : 1;
  const bool main_rank = rank_id == 0;
  const int stride = bundle.net->output_stride();
  const CountPlan plan = plan_count_training(o, data, stride, rank_id, world, anchor != nullptr);

  const torch::Device device = parse_device(o.device);
  RankNet& net = *bundle.net;
  net.to(device);
  if (anchor) {
    anchor->to(device);
    anchor->eval();
  }
  auto parameters = net.parameters();
  o.optimiser.total = o.iterations;
  std::vector<double> lr_multipliers;
  auto optimiser = make_optimiser(net, o.optimiser, lr_multipliers);

  std::mt19937 rng(o.seed);
  const long start = o.resume_path.empty() ? 0 : resume_count_state(o, rng, *optimiser);
  if (dist) dist->broadcast_module(net);

  JsonlLog log;
  if (main_rank && !o.log_path.empty()) log = JsonlLog(o.log_path, /*append=*/start > 0);
  std::unique_ptr<Progress> progress;
  if (main_rank && o.progress) progress = std::make_unique<Progress>("train", o.iterations, start, std::cerr);

  auto save_ckpt = [&](long done) {
    if (main_rank && !o.checkpoint_path.empty()) save_count_checkpoint(bundle, *optimiser, rng, o, device, done);
  };

  // Gaussian cell targets: the Euclidean loss needs them, and so do the count, pooled and background terms.
  const bool need_targets = !o.bayesian || o.count_weight > 0 || o.pooled_weight > 0 || o.background_l1 > 0;
  const PatchOptions patch{std::max(1, o.patch_min), std::max(o.patch_min, o.patch_max), o.input_size};
  const CountContext ctx{o, data, plan, stride, rank_id, main_rank, need_targets, patch,
                         nested_crop_ranks(o.crops.k), device};
  const TrunkAnchor trunk_anchor = trunk_anchor_of(net, o.trunk_anchor);
  CountTrainResult result;
  const auto t0 = std::chrono::steady_clock::now();
  set_mode(net, true, o.freeze_bn);
  LossSums sums;
  long it = start;
  for (; it < o.iterations; ++it) {
    if (should_stop(it, o, dist)) {
      result.interrupted = true;
      break;
    }
    const double lr = learning_rate_at(o.optimiser, it);
    set_learning_rate(*optimiser, lr, lr_multipliers);
    const CountBatch batch = draw_count_batch(ctx, rng);

    optimiser->zero_grad();
    StepLosses step = count_step_losses(net, anchor, batch, ctx, it);
    if (!trunk_anchor.params.empty()) step.total = step.total + o.trunk_anchor * trunk_anchor.loss();
    step.total.backward();
    if (dist) dist->average_gradients(parameters);
    if (o.clip_norm > 0) clip_gradients(parameters, o.clip_norm);
    optimiser->step();

    std::vector<double> losses{step.total.item<double>(), step.count, step.rank, step.frame, step.anchor,
                                step.teacher};
    if (dist) {
      losses = dist->sum(losses);
      for (auto& v : losses) v /= world;
    }
    if (!std::isfinite(losses[0]))
      throw Error("training diverged at iteration " + std::to_string(it + 1) + " (loss is not finite): lower --lr");
    sums.add(losses);
    const long done = it + 1;
    if (main_rank && (done % std::max(1L, o.log_every) == 0 || done == o.iterations)) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      write_loss_record(log, sums, done, lr, secs, ctx, anchor && o.anchor_weight > 0);
    }
    if (o.val_every > 0 && done % o.val_every == 0 && done < o.iterations && main_rank && !data.validation.empty()) {
      validate_and_log(net, ctx, done, log, result);
      set_mode(net, true, o.freeze_bn);
    }
    if (o.checkpoint_every > 0 && done % o.checkpoint_every == 0 && done < o.iterations) {
      save_ckpt(done);
      set_mode(net, true, o.freeze_bn);
    }
    if (progress) progress->update(done, progress_message(losses, ctx, result.last_validation));
  }
  result.iterations_done = it;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.iterations_per_second = result.seconds > 0 ? (it - start) / result.seconds : 0;
  if (main_rank && !data.validation.empty() && !result.interrupted) validate_and_log(net, ctx, it, log, result);
  if (progress) progress->finish(result.interrupted ? "interrupted" : "done");
  save_ckpt(it);
  if (main_rank && result.interrupted) log.write({{"iter", it}, {"event", "interrupted"}});
  net.eval();
  net.to(torch::kCPU);
  if (anchor) anchor->to(torch::kCPU);
  return result;
}

}  // namespace rv
