#pragma once
// Training of no-reference quality networks (paper §4, §6.1):
//  stage 1 — learning to rank on distorted copies of unlabelled images: each
//            batch holds a few source images, one random crop per source, and
//            for one or more distortion types the pristine crop plus every
//            level (all-pairs hinge loss, group = (source, type));
//  stage 2 — the Eq. 16 regression on scored images, either alone after
//            stage 1 (fine-tune) or together with the ranking loss (multi-task,
//            Eq. 5).
// Networks work internally in "quality units": raw = (MOS − 50) / 10, so a
// freshly initialised network starts near the middle of the scale and the
// paper's margin of 10 MOS points is 1 unit. The bundle's score_scale /
// score_offset map raw outputs back to 0–100 (see calibrate_quality).
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/network.h"
#include "ranking/distortions.h"
#include "train/optimiser.h"

namespace rv {

constexpr double kQualityCentre = 50.0;  // MOS that raw 0 stands for
constexpr double kQualityUnit = 10.0;    // MOS points per raw unit

// 8-bit BGR image from disk, enlarged (never shrunk) so its shorter side is at
// least min_side. Throws rv::InputError naming the file when it cannot be read.
cv::Mat load_quality_image(const std::string& path, int min_side);

// A size×size crop at a uniform position (the image must be at least that large).
cv::Mat random_square_crop(const cv::Mat& image, int size, std::mt19937& rng);

struct DistortionBatchOptions {
  DistortionSet set = DistortionSet::Tid2013;
  std::vector<Distortion> types;  // candidates; empty = every type of the set
  int sources = 3;                // source images per batch
  int types_per_source = 2;       // distortion ladders per source crop
  int crop = 224;
};

// One ranked batch for stage 1: images [M,3,crop,crop] (float RGB 0..1), and
// group / rank [M] int64. Every ladder is one group (source × type); pristine
// has the highest rank. `images` are file paths, read on demand.
struct RankedBatch {
  torch::Tensor images, group, rank;
};
RankedBatch make_distortion_batch(const std::vector<std::string>& images, const DistortionBatchOptions& options,
                                  std::mt19937& rng);
// Same, with the images read through `load` (e.g. a cache of decoded images).
RankedBatch make_distortion_batch(const std::vector<std::string>& images, const DistortionBatchOptions& options,
                                  std::mt19937& rng, const std::function<cv::Mat(const std::string&)>& load);

struct ScoredImage {
  std::string path;
  double mos = 0;
};

// Mean raw network output over `crops` random crop×crop crops of a BGR image
// (eval mode, no gradients; the network's train/eval mode is restored).
double predict_quality_raw(RankNet& net, const cv::Mat& bgr, int crops, int crop, std::mt19937& rng,
                           const torch::Device& device);

// Least-squares MOS ≈ scale · raw + offset. With fewer than 2 distinct raw
// values the nominal mapping of the quality units is returned.
std::pair<double, double> calibrate_quality(const std::vector<double>& raw, const std::vector<double>& mos);

enum class IqaMode { RankOnly, RegressOnly, FineTune, MultiTask };
std::string to_string(IqaMode mode);

struct IqaTrainOptions {
  std::vector<std::string> rank_images;  // unlabelled sources for stage 1 (and multi-task)
  std::vector<ScoredImage> train;        // scored images for stage 2
  std::vector<ScoredImage> val;          // held out: SROCC / PLCC reported
  DistortionBatchOptions distortions;
  bool multitask = false;  // stage 2 adds λ·L_rank
  int rank_iterations = 0;
  int iterations = 0;      // stage 2
  int batch = 16;          // scored crops per stage-2 batch
  double lambda = 1.0;
  double margin = 10.0;    // ε in MOS points (the authors' code); divided by kQualityUnit
  // Stage 2 optimiser and schedule (iterations count from 0 within the
  // stage); stage 1 uses the same with lr = rank_lr.
  OptimiserOptions optimiser;
  double rank_lr = 1e-4;
  int val_every = 0;       // validate every N stage-2 iterations (0 = only at the end)
  int val_crops = 5;
  int calib_crops = 5;
  uint32_t seed = 1;
  int log_every = 10;
};

// Stage, iteration (1-based within the stage) and the numbers of one step or
// a validation; handed to the observer as JSON (what the JSONL log stores).
using IqaObserver = std::function<void(const nlohmann::json& record)>;
// Called after every step of a stage ("rank" or "scores"; iteration 1-based)
// with the stage's optimiser — where the CLI writes checkpoints. Return false
// to stop training early (Ctrl-C).
using IqaStepHook =
    std::function<bool(const std::string& stage, int iteration, int total, torch::optim::Optimizer& optimiser)>;

struct IqaTrainResult {
  double score_scale = kQualityUnit, score_offset = kQualityCentre;
  double val_srocc = NAN, val_plcc = NAN, val_krocc = NAN;
  double final_rank_loss = NAN, final_reg_loss = NAN;
  int rank_iterations_done = 0, iterations_done = 0;
  bool stopped = false;
};

IqaMode iqa_mode(const IqaTrainOptions& options);

class IqaTrainer {
 public:
  IqaTrainer(RankNetPtr net, IqaTrainOptions options, torch::Device device);
  // Runs what remains of both stages: `rank_done` / `done` iterations are
  // skipped (resume; batches are drawn per iteration, so a resumed run sees
  // the batches an uninterrupted one would). `restore` (optional) loads the
  // optimiser state of the stage being resumed. Validates and calibrates at the end.
  IqaTrainResult run(int rank_done = 0, int done = 0, IqaObserver observer = {}, IqaStepHook hook = {},
                     std::function<void(torch::optim::Optimizer&)> restore = {});
  // SROCC/PLCC/KROCC of the network on `set` (mean of val_crops crops per image).
  nlohmann::json validate(const std::vector<ScoredImage>& set, uint32_t seed);

 private:
  using ImageLoader = std::function<cv::Mat(const std::string&)>;
  using RecordSink = std::function<void(nlohmann::json)>;
  using OptimiserRestore = std::function<void(torch::optim::Optimizer&)>;

  torch::Tensor rank_loss(const RankedBatch& batch);
  // The steps of run(). Each stage continues after `rank_done` / `done` and
  // returns false when the hook stopped training.
  bool run_rank_stage(int rank_done, const ImageLoader& load, const RecordSink& emit, const IqaStepHook& hook,
                      const OptimiserRestore& restore, IqaTrainResult& result);
  bool run_score_stage(int done, const ImageLoader& load, const RecordSink& emit, const IqaStepHook& hook,
                       const OptimiserRestore& restore, IqaTrainResult& result);
  // Calibration on the scored images, then the final validation.
  void calibrate_and_validate(const ImageLoader& load, const RecordSink& emit, IqaTrainResult& result);

  RankNetPtr net_;
  IqaTrainOptions options_;
  torch::Device device_;
};

// Throws rv::InputError naming the option when a value is out of range.
void validate(const IqaTrainOptions& options);

}  // namespace rv
