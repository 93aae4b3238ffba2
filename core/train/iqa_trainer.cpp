#include "train/iqa_trainer.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>

#include "common/error.h"
#include "data/tensor_convert.h"
#include "loss/ranking_loss.h"
#include "loss/regression_loss.h"
#include "metrics/metrics.h"

namespace rv {

namespace {

// Decoded images kept in memory up to a byte budget: decoding a JPEG for every
// crop would cost as much as the forward pass of a compact network.
class DecodedCache {
 public:
  explicit DecodedCache(size_t budget_bytes) : budget_(budget_bytes) {}
  cv::Mat get(const std::string& path, int min_side) {
    auto it = images_.find(path);
    if (it != images_.end()) return it->second;
    cv::Mat image = load_quality_image(path, min_side);
    const size_t bytes = image.total() * image.elemSize();
    if (used_ + bytes <= budget_) {
      used_ += bytes;
      images_.emplace(path, image);
    }
    return image;
  }

 private:
  size_t budget_, used_ = 0;
  std::map<std::string, cv::Mat> images_;
};

// A generator for one (stage, iteration): training can resume at any
// iteration and draw exactly the batches an uninterrupted run would.
std::mt19937 step_rng(uint32_t seed, int stage, int64_t iteration) {
  std::seed_seq seq{seed, static_cast<uint32_t>(stage), static_cast<uint32_t>(iteration),
                    static_cast<uint32_t>(iteration >> 32)};
  return std::mt19937(seq);
}

}  // namespace

cv::Mat load_quality_image(const std::string& path, int min_side) {
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw_input_error(path, "cannot read image (missing or not an image)");
  const int shorter = std::min(image.cols, image.rows);
  if (shorter < min_side) {
    const double f = static_cast<double>(min_side) / shorter;
    cv::Mat up;
    cv::resize(image, up,
               cv::Size(std::max(min_side, static_cast<int>(std::ceil(image.cols * f))),
                        std::max(min_side, static_cast<int>(std::ceil(image.rows * f)))),
               0, 0, cv::INTER_CUBIC);
    image = up;
  }
  return image;
}

cv::Mat random_square_crop(const cv::Mat& image, int size, std::mt19937& rng) {
  if (image.cols < size || image.rows < size) throw Error("random_square_crop: image smaller than the crop");
  std::uniform_int_distribution<int> dx(0, image.cols - size), dy(0, image.rows - size);
  const int x = dx(rng), y = dy(rng);
  return image(cv::Rect(x, y, size, size)).clone();
}

RankedBatch make_distortion_batch(const std::vector<std::string>& images, const DistortionBatchOptions& options,
                                  std::mt19937& rng, const std::function<cv::Mat(const std::string&)>& load) {
  if (images.empty()) throw InputError("ranking stage: no unlabelled images");
  std::vector<Distortion> types = options.types.empty() ? distortion_types(options.set) : options.types;
  std::vector<cv::Mat> mats;
  std::vector<int64_t> group, rank;
  std::uniform_int_distribution<size_t> pick(0, images.size() - 1);
  int g = 0;
  for (int s = 0; s < options.sources; ++s) {
    const std::string& path = images[pick(rng)];
    const cv::Mat source = load ? load(path) : load_quality_image(path, options.crop);
    // One crop position for every ladder of this source, so the only
    // difference between the images of a group is the distortion.
    const cv::Mat crop = random_square_crop(source, options.crop, rng);
    std::shuffle(types.begin(), types.end(), rng);
    const int n_types = std::min<int>(options.types_per_source, static_cast<int>(types.size()));
    for (int t = 0; t < n_types; ++t, ++g) {
      const uint64_t seed = (static_cast<uint64_t>(rng()) << 32) | rng();
      for (auto& d : distortion_ladder(crop, types[t], options.set, seed, g)) {
        mats.push_back(d.image);
        group.push_back(d.group);
        rank.push_back(d.rank);
      }
    }
  }
  RankedBatch batch;
  batch.images = images_to_tensor(mats);
  batch.group = torch::tensor(group, torch::kLong);
  batch.rank = torch::tensor(rank, torch::kLong);
  return batch;
}

RankedBatch make_distortion_batch(const std::vector<std::string>& images, const DistortionBatchOptions& options,
                                  std::mt19937& rng) {
  return make_distortion_batch(images, options, rng, {});
}

double predict_quality_raw(RankNet& net, const cv::Mat& bgr, int crops, int crop, std::mt19937& rng,
                           const torch::Device& device) {
  if (crops < 1) throw InputError("crops must be >= 1");
  cv::Mat image = bgr;
  if (std::min(image.cols, image.rows) < crop) {
    const double f = static_cast<double>(crop) / std::min(image.cols, image.rows);
    cv::resize(bgr, image,
               cv::Size(std::max(crop, static_cast<int>(std::ceil(bgr.cols * f))),
                        std::max(crop, static_cast<int>(std::ceil(bgr.rows * f)))),
               0, 0, cv::INTER_CUBIC);
  }
  std::vector<cv::Mat> mats;
  for (int i = 0; i < crops; ++i) mats.push_back(random_square_crop(image, crop, rng));
  const bool was_training = net.is_training();
  net.eval();
  double sum = 0;
  {
    torch::NoGradGuard no_grad;
    // Chunks of 10 keep memory flat for 30 crops of a wide network.
    for (size_t i = 0; i < mats.size(); i += 10) {
      std::vector<cv::Mat> chunk(mats.begin() + i, mats.begin() + std::min(mats.size(), i + 10));
      sum += net.scalar(images_to_tensor(chunk).to(device)).sum().item<double>();
    }
  }
  if (was_training) net.train();
  return sum / crops;
}

std::pair<double, double> calibrate_quality(const std::vector<double>& raw, const std::vector<double>& mos) {
  if (raw.size() != mos.size()) throw Error("calibrate_quality: size mismatch");
  const double n = static_cast<double>(raw.size());
  if (n < 2) return {kQualityUnit, kQualityCentre};
  const double mx = std::accumulate(raw.begin(), raw.end(), 0.0) / n;
  const double my = std::accumulate(mos.begin(), mos.end(), 0.0) / n;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    sxx += (raw[i] - mx) * (raw[i] - mx);
    sxy += (raw[i] - mx) * (mos[i] - my);
  }
  if (sxx <= 1e-12 * n) return {kQualityUnit, kQualityCentre};
  const double a = sxy / sxx;
  return {a, my - a * mx};
}

std::string to_string(IqaMode mode) {
  switch (mode) {
    case IqaMode::RankOnly: return "rank";
    case IqaMode::RegressOnly: return "regress";
    case IqaMode::FineTune: return "finetune";
    case IqaMode::MultiTask: return "multitask";
  }
  return "?";
}

IqaMode iqa_mode(const IqaTrainOptions& o) {
  const bool has_rank = !o.rank_images.empty(), has_scores = !o.train.empty();
  if (has_rank && !has_scores) return IqaMode::RankOnly;
  if (!has_rank) return IqaMode::RegressOnly;
  return o.multitask ? IqaMode::MultiTask : IqaMode::FineTune;
}

void validate(const IqaTrainOptions& o) {
  auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw InputError(std::string(name) + " must be > 0");
  };
  if (o.rank_images.empty() && o.train.empty()) throw InputError("nothing to train on: give unlabelled images or scores");
  if (o.rank_iterations < 0 || o.iterations < 0) throw InputError("iterations must be >= 0");
  if (o.rank_images.empty() && o.rank_iterations > 0) throw InputError("ranking iterations need unlabelled images");
  if (o.train.empty() && o.iterations > 0 && o.rank_images.empty()) throw InputError("iterations need scored images");
  if (o.multitask && o.rank_images.empty()) throw InputError("multitask needs unlabelled images");
  validate(o.optimiser);
  positive("rank lr", o.rank_lr);
  if (o.batch < 1) throw InputError("batch must be >= 1");
  if (o.distortions.sources < 1) throw InputError("rank sources must be >= 1");
  if (o.distortions.types_per_source < 1) throw InputError("rank types must be >= 1");
  if (o.distortions.crop < 32) throw InputError("crop must be >= 32");
  if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) throw InputError("lambda must be finite and >= 0");
  if (!(o.margin >= 0)) throw InputError("margin must be >= 0");
  if (o.val_crops < 1 || o.calib_crops < 1) throw InputError("crops must be >= 1");
  for (auto t : o.distortions.types)
    if (!distortion_in_set(t, o.distortions.set))
      throw InputError("distortion '" + distortion_name(t) + "' is not in the " + distortion_set_name(o.distortions.set) +
                       " set");
}

IqaTrainer::IqaTrainer(RankNetPtr net, IqaTrainOptions options, torch::Device device)
    : net_(std::move(net)), options_(std::move(options)), device_(device) {
  rv::validate(options_);
  net_->to(device_);
}

torch::Tensor IqaTrainer::rank_loss(const RankedBatch& batch) {
  RankingLossOptions lo;
  lo.margin = options_.margin / kQualityUnit;
  auto y = net_->scalar(batch.images.to(device_));
  return ranking_hinge_loss(y, batch.group.to(device_), batch.rank.to(device_), lo);
}

nlohmann::json IqaTrainer::validate(const std::vector<ScoredImage>& set, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> raw, mos;
  for (const auto& s : set) {
    raw.push_back(predict_quality_raw(*net_, load_quality_image(s.path, options_.distortions.crop), options_.val_crops,
                                      options_.distortions.crop, rng, device_));
    mos.push_back(s.mos);
  }
  nlohmann::json j;
  j["n"] = set.size();
  if (set.size() >= 2) {
    const auto m = quality_metrics(mos, raw);
    j["srocc"] = m.srocc;
    j["plcc"] = m.lcc;
    j["krocc"] = m.krocc;
  }
  return j;
}

namespace {

// The scored crops of stage-2 iteration `it`: one crop of each training image
// per epoch (§6.1), walking a per-epoch shuffle of the training set; targets in quality units.
void draw_scored_batch(const IqaTrainOptions& o, int it, std::mt19937& rng,
                       const std::function<cv::Mat(const std::string&)>& load, std::vector<cv::Mat>& crops,
                       std::vector<float>& target) {
  const size_t n = o.train.size();
  for (int b = 0; b < o.batch; ++b) {
    const int64_t pos = static_cast<int64_t>(it - 1) * o.batch + b;
    const int64_t epoch = pos / static_cast<int64_t>(n);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    auto erng = step_rng(o.seed, 3, epoch);
    std::shuffle(order.begin(), order.end(), erng);
    const auto& item = o.train[order[pos % n]];
    crops.push_back(random_square_crop(load(item.path), o.distortions.crop, rng));
    target.push_back(static_cast<float>((item.mos - kQualityCentre) / kQualityUnit));
  }
}

// The optimiser of one stage, on its own schedule over `total` iterations, with
// its state restored when a run resumes after `done` of them.
struct StageOptimiser {
  OptimiserOptions options;
  std::vector<double> multipliers;
  std::unique_ptr<torch::optim::Optimizer> optimiser;

  StageOptimiser(torch::nn::Module& net, OptimiserOptions o, int total, int done,
                 const std::function<void(torch::optim::Optimizer&)>& restore)
      : options(std::move(o)) {
    options.total = total;
    optimiser = make_optimiser(net, options, multipliers);
    if (done > 0 && restore) restore(*optimiser);
  }
  // Sets the learning rate of iteration `it` (1-based) and returns it.
  double begin(int it) {
    const double lr = learning_rate_at(options, it - 1);
    set_learning_rate(*optimiser, lr, multipliers);
    return lr;
  }
};

// Exponential moving average of a logged loss (NaN: none yet).
double smoothed_with(double average, double value) {
  return std::isnan(average) ? value : 0.9 * average + 0.1 * value;
}

}  // namespace

bool IqaTrainer::run_rank_stage(int rank_done, const ImageLoader& load, const RecordSink& emit,
                                const IqaStepHook& hook, const OptimiserRestore& restore, IqaTrainResult& result) {
  const auto& o = options_;
  OptimiserOptions rank_opt = o.optimiser;
  rank_opt.lr = o.rank_lr;
  StageOptimiser stage(*net_, rank_opt, o.rank_iterations, rank_done, restore);
  auto& opt = stage.optimiser;
  double smoothed = NAN;
  for (int it = rank_done + 1; it <= o.rank_iterations; ++it) {
    auto rng = step_rng(o.seed, 1, it);
    const double lr = stage.begin(it);
    auto batch = make_distortion_batch(o.rank_images, o.distortions, rng, load);
    opt->zero_grad();
    auto loss = rank_loss(batch);
    loss.backward();
    opt->step();
    const double v = loss.item<double>();
    smoothed = smoothed_with(smoothed, v);
    result.final_rank_loss = smoothed;
    result.rank_iterations_done = it;
    if (it % o.log_every == 0 || it == o.rank_iterations || it == rank_done + 1) {
      emit({{"stage", "rank"}, {"iteration", it}, {"total", o.rank_iterations}, {"rank_loss", v},
            {"rank_loss_avg", smoothed}, {"lr", lr}});
    }
    if (hook && !hook("rank", it, o.rank_iterations, *opt)) return false;
  }
  return true;
}

bool IqaTrainer::run_score_stage(int done, const ImageLoader& load, const RecordSink& emit, const IqaStepHook& hook,
                                 const OptimiserRestore& restore, IqaTrainResult& result) {
  const auto& o = options_;
  const IqaMode mode = iqa_mode(o);
  StageOptimiser stage(*net_, o.optimiser, o.iterations, done, restore);
  auto& opt = stage.optimiser;
  double smoothed = NAN;
  for (int it = done + 1; it <= o.iterations; ++it) {
    auto rng = step_rng(o.seed, 2, it);
    const double lr = stage.begin(it);
    std::vector<cv::Mat> crops;
    std::vector<float> target;
    draw_scored_batch(o, it, rng, load, crops, target);
    opt->zero_grad();
    auto y = net_->scalar(images_to_tensor(crops).to(device_));
    auto reg = quality_regression_loss(y, torch::tensor(target).to(device_));
    torch::Tensor loss = reg;
    double rank_value = NAN;
    if (mode == IqaMode::MultiTask && o.lambda > 0) {
      auto batch = make_distortion_batch(o.rank_images, o.distortions, rng, load);
      auto rl = rank_loss(batch);
      rank_value = rl.item<double>();
      loss = multitask_loss(reg, rl, o.lambda);
    }
    loss.backward();
    opt->step();
    const double v = reg.item<double>();
    smoothed = smoothed_with(smoothed, v);
    result.final_reg_loss = smoothed;
    result.iterations_done = it;
    if (it % o.log_every == 0 || it == o.iterations || it == done + 1) {
      nlohmann::json j = {{"stage", to_string(mode == IqaMode::MultiTask ? IqaMode::MultiTask : IqaMode::FineTune)},
                          {"iteration", it}, {"total", o.iterations}, {"reg_loss", v},
                          {"reg_loss_avg", smoothed}, {"lr", lr}};
      if (!std::isnan(rank_value)) j["rank_loss"] = rank_value;
      emit(j);
    }
    if (o.val_every > 0 && it % o.val_every == 0 && it != o.iterations && o.val.size() >= 2) {
      auto v_j = validate(o.val, o.seed);
      v_j["stage"] = "val";
      v_j["iteration"] = it;
      emit(v_j);
    }
    if (hook && !hook("scores", it, o.iterations, *opt)) return false;
  }
  return true;
}

void IqaTrainer::calibrate_and_validate(const ImageLoader& load, const RecordSink& emit, IqaTrainResult& result) {
  const auto& o = options_;
  // Calibration: a linear fit of the raw outputs on the training images to their MOS.
  if (!o.train.empty()) {
    std::mt19937 rng(o.seed + 7);
    std::vector<double> raw, mos;
    for (const auto& s : o.train) {
      raw.push_back(predict_quality_raw(*net_, load(s.path), o.calib_crops, o.distortions.crop, rng, device_));
      mos.push_back(s.mos);
    }
    std::tie(result.score_scale, result.score_offset) = calibrate_quality(raw, mos);
    emit({{"stage", "calibrate"}, {"score_scale", result.score_scale}, {"score_offset", result.score_offset},
          {"n", raw.size()}});
  }
  if (o.val.size() >= 2) {
    auto v_j = validate(o.val, o.seed);
    result.val_srocc = v_j.value("srocc", NAN);
    result.val_plcc = v_j.value("plcc", NAN);
    result.val_krocc = v_j.value("krocc", NAN);
    v_j["stage"] = "val";
    v_j["iteration"] = result.iterations_done;
    emit(v_j);
  }
}

IqaTrainResult IqaTrainer::run(int rank_done, int done, IqaObserver observer, IqaStepHook hook,
                               std::function<void(torch::optim::Optimizer&)> restore) {
  IqaTrainResult result;
  const auto& o = options_;
  DecodedCache cache(size_t{1} << 30);
  const int crop = o.distortions.crop;
  const ImageLoader load = [&](const std::string& p) { return cache.get(p, crop); };
  const RecordSink emit = [&](nlohmann::json j) {
    if (observer) observer(j);
  };
  net_->train();

  // Stage 1: ranking only.
  if (!o.rank_images.empty() && o.rank_iterations > rank_done) {
    if (!run_rank_stage(rank_done, load, emit, hook, restore, result)) {
      result.stopped = true;
      return result;
    }
  } else {
    result.rank_iterations_done = std::max(rank_done, o.rank_iterations);
  }

  // Stage 2: regression on scores (fine-tune), or regression + λ ranking (multi-task).
  if (!o.train.empty() && o.iterations > done) {
    if (!run_score_stage(done, load, emit, hook, restore, result)) {
      result.stopped = true;
      return result;
    }
  } else {
    result.iterations_done = std::max(done, o.iterations);
  }

  calibrate_and_validate(load, emit, result);
  net_->eval();
  return result;
}

}  // namespace rv
