#include "train/count_trainer.h"

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "data/patch_sampler.h"
#include "data/tensor_convert.h"
#include "engine/engines.h"
#include "loss/bayesian_loss.h"
#include "loss/regression_loss.h"
#include "metrics/metrics.h"
#include "train/checkpoint.h"
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
  if (flip)
    for (auto& p : out) p.x = static_cast<float>(out_size - 1) - p.x;
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

CountTrainResult train_count(ModelBundle& bundle, const CountTrainData& data, CountTrainOptions o,
                             RankNetPtr anchor, Distributed* dist) {
  const int rank_id = dist ? dist->rank() : 0, world = dist ? dist->world_size() : 1;
  const bool main_rank = rank_id == 0;
  const int stride = bundle.net->output_stride();
  if (o.iterations < 1) throw InputError("--iterations: must be >= 1");
  if (o.input_size < stride || o.input_size % stride != 0)
    throw InputError("--input-size " + std::to_string(o.input_size) + ": must be a positive multiple of " +
                     std::to_string(stride));
  o.crops.out_size = o.input_size;
  validate(o.crops);
  validate(o.optimiser);
  if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw InputError("--lambda: must be >= 0");
  const bool use_labelled = !data.labelled.empty() && o.batch > 0;
  const bool use_rank = o.rank && !data.unlabelled.empty() && o.rank_sets > 0 && (o.lambda > 0 || o.anchor_weight > 0);
  const bool use_frames = !data.counted.empty() && o.frame_batch > 0 && o.frame_weight > 0;
  if (!use_labelled && !use_rank && !use_frames)
    throw InputError("nothing to train on: give labelled images, counted frames or unlabelled sources for ranking");
  const auto lab_slice = rank_slice(use_labelled ? o.batch : 0, rank_id, world, "--batch");
  const auto set_slice = rank_slice(use_rank ? o.rank_sets : 0, rank_id, world, "--rank-sets");
  const auto frame_slice = rank_slice(use_frames ? o.frame_batch : 0, rank_id, world, "--frame-batch");

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
  long start = 0;
  if (!o.resume_path.empty()) {
    // The caller loaded the checkpoint's weights into bundle; here the rest of the state.
    const auto state = o.resume_state.is_object() ? o.resume_state : nlohmann::json::object();
    start = state.value("iteration", 0L);
    if (state.contains("rng")) restore_rng_state(rng, state["rng"].get<std::string>());
    load_optimiser_state(o.resume_path, *optimiser);
    if (start >= o.iterations)
      throw InputError("--resume " + o.resume_path + ": already at iteration " + std::to_string(start) +
                       ", --iterations must be larger");
  }
  if (dist) dist->broadcast_module(net);

  JsonlLog log;
  if (main_rank && !o.log_path.empty()) log = JsonlLog(o.log_path, /*append=*/start > 0);
  std::unique_ptr<Progress> progress;
  if (main_rank && o.progress) progress = std::make_unique<Progress>("train", o.iterations, start, std::cerr);

  auto save_ckpt = [&](long done) {
    if (!main_rank || o.checkpoint_path.empty()) return;
    nlohmann::json state = {{"iteration", done}, {"rng", rng_state(rng)}, {"seed", o.seed}};
    set_mode(net, false, o.freeze_bn);
    ModelBundle copy = bundle;
    net.to(torch::kCPU);
    save_checkpoint(o.checkpoint_path, copy, *optimiser, state);
    net.to(device);
  };

  const auto group_rank = nested_crop_ranks(o.crops.k);
  // Gaussian cell targets: the Euclidean loss needs them, and so do the count and pooled terms.
  const bool need_targets = !o.bayesian || o.count_weight > 0 || o.pooled_weight > 0;
  PatchOptions patch{std::max(1, o.patch_min), std::max(o.patch_min, o.patch_max), o.input_size};
  CountTrainResult result;
  const auto t0 = std::chrono::steady_clock::now();
  set_mode(net, true, o.freeze_bn);
  double sum_loss = 0, sum_c = 0, sum_r = 0, sum_f = 0, sum_a = 0;
  long n_sum = 0;
  long it = start;
  for (; it < o.iterations; ++it) {
    double stop = stop_requested() ? 1.0 : 0.0;
    if (dist) stop = dist->max(stop);
    if (o.stop_after > 0 && it >= o.stop_after) stop = 1.0;  // planned stop: same as Ctrl-C here
    if (stop > 0) {
      result.interrupted = true;
      break;
    }
    const double lr = learning_rate_at(o.optimiser, it);
    set_learning_rate(*optimiser, lr, lr_multipliers);

    // Plan the whole global batch with the shared generator (identical on all
    // ranks), then cut only this rank's slice.
    std::vector<cv::Mat> inputs;
    std::vector<cv::Mat> targets;
    std::vector<torch::Tensor> patch_heads;  // Bayesian loss: head points in patch pixels
    std::vector<double> zooms;
    for (int b = 0; use_labelled && b < o.batch; ++b) {
      const auto& li = data.labelled[std::uniform_int_distribution<size_t>(0, data.labelled.size() - 1)(rng)];
      cv::Rect rect = sample_patch_rect(li.image.size(), patch, rng);
      // Background patches: redraw (a few times) until the patch holds nobody.
      if (o.background > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < o.background) {
        for (int tries = 0; tries < 20 && has_point_in(li.points, rect); ++tries)
          rect = sample_patch_rect(li.image.size(), patch, rng);
      }
      const bool flip = o.flip && std::uniform_int_distribution<int>(0, 1)(rng) == 1;
      if (b < lab_slice.first || b >= lab_slice.second) continue;
      inputs.push_back(cut_resized(li.image, rect, o.input_size, flip));
      if (need_targets) targets.push_back(cell_density_target(li, cv::Rect2d(rect), o.input_size, stride, flip));
      if (o.bayesian) {
        patch_heads.push_back(points_tensor(patch_points(li.points, rect, o.input_size, flip)));
        zooms.push_back(static_cast<double>(o.input_size) / rect.width);
      }
    }
    const long n_lab = static_cast<long>(inputs.size());
    std::vector<int64_t> groups, ranks;
    for (int s = 0; use_rank && s < o.rank_sets; ++s) {
      const auto& img = data.unlabelled[std::uniform_int_distribution<size_t>(0, data.unlabelled.size() - 1)(rng)];
      const auto rects = nested_crop_rects(img.size(), o.crops, rng);
      if (s < set_slice.first || s >= set_slice.second) continue;
      for (int i = 0; i < o.crops.k; ++i) {
        inputs.push_back(cut_resized(img, nested_crop_pixel_rect(rects[i], img.size()), o.input_size, false));
        groups.push_back(s);
        ranks.push_back(group_rank[i]);
      }
    }
    std::vector<size_t> frames;
    for (int f = 0; use_frames && f < o.frame_batch; ++f) {
      const size_t idx = std::uniform_int_distribution<size_t>(0, data.counted.size() - 1)(rng);
      if (f >= frame_slice.first && f < frame_slice.second) frames.push_back(idx);
    }
    // Frames marked every_batch (the empty scene of a fixed camera) join every batch of the main rank.
    for (size_t idx = 0; use_frames && main_rank && idx < data.counted.size(); ++idx)
      if (data.counted[idx].every_batch) frames.push_back(idx);

    optimiser->zero_grad();
    auto total = torch::zeros({}, torch::TensorOptions().device(device));
    double lc = 0, lr_ = 0, lf = 0, la = 0;
    if (!inputs.empty()) {
      const auto x = images_to_tensor(inputs).to(device);
      const auto dense = net.dense(x);
      if (n_lab > 0) {
        const auto target = need_targets ? densities_to_tensor(targets).to(device) : torch::Tensor();
        auto loss_c = o.bayesian ? bayesian_batch_loss(dense.narrow(0, 0, n_lab), patch_heads, zooms, stride, o)
                                 : density_euclidean_loss(dense.narrow(0, 0, n_lab), target);
        if (o.count_weight > 0) {
          // The per-cell loss barely sees a thin haze of density over the
          // background, but the count does: penalise each patch's count error too.
          const auto counts = dense.narrow(0, 0, n_lab).sum({1, 2, 3});
          loss_c = loss_c + o.count_weight * (counts - target.sum({1, 2, 3})).pow(2).mean();
        }
        if (o.pooled_weight > 0) {
          loss_c = loss_c + o.pooled_weight * pooled_density_loss(dense.narrow(0, 0, n_lab), target);
        }
        total = total + loss_c;
        lc = loss_c.item<double>();
      }
      const long n_crops = static_cast<long>(inputs.size()) - n_lab;
      if (n_crops > 0) {
        const auto y = dense.narrow(0, n_lab, n_crops).sum({1, 2, 3});
        if (o.lambda > 0) {
          const auto g = torch::tensor(groups, torch::kLong).to(device);
          const auto r = torch::tensor(ranks, torch::kLong).to(device);
          const long per_set = o.crops.k * (o.crops.k - 1) / 2;
          const long n_pairs = o.pair_count > 0 ? o.pair_count : std::max(1L, per_set * n_crops / o.crops.k / 2);
          // Own generator per rank and iteration: pair draws never desynchronise the batch plan.
          std::mt19937 pair_rng(o.seed * 7919u + static_cast<uint32_t>(it) * 104729u + static_cast<uint32_t>(rank_id));
          RankingLossOptions ro;
          const auto loss_r = ranking_loss_for_mode(o.pairs, y, g, r, n_pairs, ro, pair_rng);
          total = total + o.lambda * loss_r;
          lr_ = loss_r.item<double>();
        }
        if (anchor && o.anchor_weight > 0) {
          torch::Tensor y_base;
          {
            torch::NoGradGuard no_grad;
            y_base = anchor->scalar(x.narrow(0, n_lab, n_crops));
          }
          const auto loss_a = (y - y_base).pow(2).mean();
          total = total + o.anchor_weight * loss_a;
          la = loss_a.item<double>();
        }
      }
    }
    if (!frames.empty()) {
      auto loss_f = torch::zeros({}, torch::TensorOptions().device(device));
      for (size_t idx : frames) {
        const auto& cf = data.counted[idx];
        auto d = net.dense(image_to_tensor(cf.image).to(device));
        torch::Tensor counted = d[0][0];
        if (!cf.mask.empty()) {
          cv::Mat m;
          cv::resize(cf.mask, m, cv::Size(static_cast<int>(d.size(3)), static_cast<int>(d.size(2))), 0, 0,
                     cv::INTER_NEAREST);
          m.convertTo(m, CV_32F, 1.0 / 255.0);
          counted = counted * torch::from_blob(m.data, {m.rows, m.cols}, torch::kFloat).clone().to(device);
        }
        // The count is the map's sum, and no negative density may buy it: without the second term a
        // frame's count can be met by cancelling density on the background with negative density
        // elsewhere (the head is linear), and the map stops saying where the people are.
        const auto negative_mass = torch::relu(-counted).sum();
        loss_f = loss_f + (counted.sum() - cf.count).pow(2) + negative_mass.pow(2);
      }
      loss_f = loss_f / static_cast<double>(frames.size());
      total = total + o.frame_weight * loss_f;
      lf = loss_f.item<double>();
    }
    total.backward();
    if (dist) dist->average_gradients(parameters);
    if (o.clip_norm > 0) clip_gradients(parameters, o.clip_norm);
    optimiser->step();

    std::vector<double> losses{total.item<double>(), lc, lr_, lf, la};
    if (dist) {
      losses = dist->sum(losses);
      for (auto& v : losses) v /= world;
    }
    if (!std::isfinite(losses[0]))
      throw Error("training diverged at iteration " + std::to_string(it + 1) + " (loss is not finite): lower --lr");
    sum_loss += losses[0], sum_c += losses[1], sum_r += losses[2], sum_f += losses[3], sum_a += losses[4];
    ++n_sum;
    const long done = it + 1;
    if (main_rank && (done % std::max(1L, o.log_every) == 0 || done == o.iterations)) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json rec = {{"iter", done},           {"loss", sum_loss / n_sum}, {"count_loss", sum_c / n_sum},
                            {"rank_loss", sum_r / n_sum}, {"lr", lr},             {"time_s", secs}};
      if (use_frames) rec["frame_loss"] = sum_f / n_sum;
      if (anchor && o.anchor_weight > 0) rec["anchor_loss"] = sum_a / n_sum;
      log.write(rec);
      sum_loss = sum_c = sum_r = sum_f = sum_a = 0;
      n_sum = 0;
    }
    if (o.val_every > 0 && done % o.val_every == 0 && done < o.iterations && main_rank && !data.validation.empty()) {
      result.last_validation = validate_counts(net, data.validation, device);
      auto rec = result.last_validation;
      rec["iter"] = done;
      rec["split"] = "val";
      log.write(rec);
      set_mode(net, true, o.freeze_bn);
    }
    if (o.checkpoint_every > 0 && done % o.checkpoint_every == 0 && done < o.iterations) {
      save_ckpt(done);
      set_mode(net, true, o.freeze_bn);
    }
    if (progress) {
      std::string msg = "loss " + fmt(losses[0]);
      if (use_labelled) msg += " count " + fmt(losses[1]);
      if (use_rank && o.lambda > 0) msg += " rank " + fmt(losses[2]);
      if (use_frames) msg += " frame " + fmt(losses[3]);
      if (!result.last_validation.is_null()) msg += " val_mae " + fmt(result.last_validation["mae"].get<double>());
      progress->update(done, msg);
    }
  }
  result.iterations_done = it;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.iterations_per_second = result.seconds > 0 ? (it - start) / result.seconds : 0;
  if (main_rank && !data.validation.empty() && !result.interrupted) {
    result.last_validation = validate_counts(net, data.validation, device);
    auto rec = result.last_validation;
    rec["iter"] = it;
    rec["split"] = "val";
    log.write(rec);
  }
  if (progress) progress->finish(result.interrupted ? "interrupted" : "done");
  save_ckpt(it);
  if (main_rank && result.interrupted) log.write({{"iter", it}, {"event", "interrupted"}});
  net.eval();
  net.to(torch::kCPU);
  if (anchor) anchor->to(torch::kCPU);
  return result;
}

}  // namespace rv
