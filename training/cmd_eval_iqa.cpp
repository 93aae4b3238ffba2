// rankvision eval-iqa: LCC (PLCC), SROCC and KROCC of a quality model against
// mean opinion scores (mean raw output over random 224 crops per image, as the
// paper's test protocol), and the within-image ranking accuracy of distortion
// levels on images the model never saw.
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "data/tensor_convert.h"
#include "engine/engines.h"
#include "iqa_cli_util.h"
#include "metrics/metrics.h"
#include "train/iqa_trainer.h"
#include "train/progress.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Raw outputs of one batch of images (eval mode, no gradients).
std::vector<double> raw_outputs(RankNet& net, const std::vector<cv::Mat>& mats, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  auto y = net.scalar(images_to_tensor(mats).to(device)).to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
}

Args eval_iqa_args() {
  Args args("eval-iqa",
            "Evaluate a quality model: PLCC (LCC), SROCC and KROCC against mean opinion scores, and/or\n"
            "the ranking accuracy of distortion levels (--ranking-accuracy). Last stdout line: JSON.",
            {
                {"model", "FILE", "quality model bundle", "the installed default quality model"},
                {"images", "DIR", "folder of the images", ""},
                {"scores", "CSV", "columns image,mos[,mos_std]", ""},
                {"crops", "N", "random crops per image, scores averaged (the paper: 30)", "30"},
                {"crop", "N", "crop side in pixels", "the model's (score.crop, 224 if unset)"},
                {"csv", "FILE", "per-image results (image,mos,score,raw)", ""},
                {"ranking-accuracy", "", "distort each image and report the fraction of level pairs ordered right", ""},
                {"distortions", "SET", "set for --ranking-accuracy: tid2013 or live", "tid2013"},
                {"ladder-crops", "N", "random crops per image for --ranking-accuracy", "1"},
                {"limit", "N", "use only the first N images (0: all)", "0"},
                {"holdout", "N", "only the N images `train-iqa --val N --seed S` held out", ""},
                {"split-seed", "S", "the --seed of that train-iqa run (with --holdout)", "1"},
                {"seed", "N", "random seed for the crops and distortions", "1"},
                {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
                threads_flag(),
            });
  return args;
}

struct EvalIqaOptions {
  std::string dir;  // --images
  bool ranking = false;
  int crops = 30, crop = 224, ladder_crops = 1;
  long limit = 0;
  uint32_t seed = 1;
  DistortionSet set = DistortionSet::Tid2013;
  std::string csv;  // "" = no per-image file
};

// Reads and checks the flags (but --scores and --model); applies --threads.
EvalIqaOptions read_eval_iqa_flags(const Args& args) {
  EvalIqaOptions e;
  e.dir = args.required("images");
  require_dir("--images", e.dir);
  e.ranking = args.flag("ranking-accuracy");
  if (!e.ranking && !args.has("scores")) throw InputError("--scores is required (or give --ranking-accuracy)");
  e.crops = static_cast<int>(args.integer("crops", 30, 1, 10000));
  e.crop = static_cast<int>(args.integer("crop", 224, 16, 4096));
  e.ladder_crops = static_cast<int>(args.integer("ladder-crops", 1, 1, 1000));
  e.limit = args.integer("limit", 0, 0, 100000000);
  e.seed = static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L));
  e.set = parse_distortion_set(args.str("distortions", "tid2013"));
  if (args.has("csv")) check_output_file("--csv", args.str("csv"));
  e.csv = args.str("csv");
  apply_threads(args);
  return e;
}

// The rows of --scores to evaluate: all of them, or the --holdout N that train-iqa held out; at most --limit.
std::vector<IqaScore> scores_to_evaluate(const Args& args, const EvalIqaOptions& e) {
  if (!args.has("scores")) {
    if (args.has("holdout")) throw InputError("--holdout: needs --scores (the CSV train-iqa split)");
    return {};
  }
  require_file("--scores", args.str("scores"));
  std::vector<IqaScore> scores = read_scores_in(args.str("scores"), e.dir);
  if (args.has("holdout")) {
    const long n = args.integer("holdout", 1, 1, 1000000);
    if (n + 2 > static_cast<long>(scores.size()))
      throw InputError("--holdout " + std::to_string(n) + ": " + args.str("scores") + " has only " +
                       std::to_string(scores.size()) + " rows (train-iqa --val keeps at least 2 for training)");
    shuffle_for_holdout(scores, static_cast<uint32_t>(args.integer("split-seed", 1, 0, 4294967295L)));
    scores.resize(static_cast<size_t>(n));
  }
  if (e.limit > 0 && static_cast<long>(scores.size()) > e.limit) scores.resize(e.limit);
  return scores;
}

// PLCC, SROCC, KROCC and MAE against the scores (into result, and printed); --csv gets the per-image rows.
void evaluate_scores(const ModelBundle& bundle, const std::vector<IqaScore>& scores, const EvalIqaOptions& e,
                     const torch::Device& device, nlohmann::json& result) {
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937 rng(e.seed);
  std::vector<double> mos, pred;
  std::ostringstream per_image;
  per_image << "image,mos,score,raw\n";
  Progress progress("eval", static_cast<int>(scores.size()), 0, std::cerr);
  for (size_t i = 0; i < scores.size(); ++i) {
    const std::string path = (std::filesystem::path(e.dir) / scores[i].image).string();
    const double r = predict_quality_raw(*bundle.net, load_quality_image(path, e.crop), e.crops, e.crop, rng, device);
    // Metrics on the unclamped calibrated value (same order and linearity as the raw output).
    const double p = r * bundle.meta.score_scale + bundle.meta.score_offset;
    mos.push_back(scores[i].mos);
    pred.push_back(p);
    per_image << csv_field(scores[i].image) << "," << scores[i].mos << "," << bundle.meta.quality_score(r) << ","
              << r << "\n";
    progress.update(static_cast<int>(i + 1), "");
  }
  progress.finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result["n"] = scores.size();
  result["crops"] = e.crops;
  result["crop"] = e.crop;
  if (scores.size() >= 2) {
    const auto m = quality_metrics(mos, pred);
    result["srocc"] = m.srocc;
    result["plcc"] = m.lcc;
    result["krocc"] = m.krocc;
  } else {
    result["srocc"] = nullptr;
    result["plcc"] = nullptr;
    result["krocc"] = nullptr;
  }
  result["mae"] = rv::mae(mos, pred);
  result["seconds_per_image"] = secs / scores.size();
  std::cout << std::fixed << std::setprecision(4) << "images " << scores.size() << " (" << e.crops
            << " crops each, " << std::setprecision(3) << secs / scores.size() << " s/image)\n"
            << std::setprecision(4) << "SROCC  " << result["srocc"] << "\nPLCC   " << result["plcc"]
            << "\nKROCC  " << result["krocc"] << "\nMAE    " << result["mae"] << " (0-100 scale)\n";
  if (!e.csv.empty()) {
    write_text_atomic(e.csv, per_image.str());
    std::cout << "per-image results: " << e.csv << "\n";
  }
}

// The images of the ranking accuracy: those of --scores, else the folder's (at most --limit).
std::vector<std::string> ranking_files(const std::vector<IqaScore>& scores, const EvalIqaOptions& e) {
  std::vector<std::string> files;
  if (!scores.empty()) {
    for (const auto& s : scores) files.push_back((std::filesystem::path(e.dir) / s.image).string());
    return files;
  }
  files = list_image_files(e.dir);
  if (files.empty()) throw InputError("--images " + e.dir + ": no images in the folder");
  if (e.limit > 0 && static_cast<long>(files.size()) > e.limit) files.resize(e.limit);
  return files;
}

// Level pairs of distortion ladders the model ordered right, in all and per distortion type.
struct RankingTally {
  std::map<std::string, std::pair<long, long>> per_type;  // name -> (correct, pairs)
  long correct = 0, pairs = 0;

  void add(const std::string& type, const std::vector<double>& y, const std::vector<int>& ranks) {
    auto& slot = per_type[type];
    for (size_t i = 0; i < y.size(); ++i) {
      for (size_t j = 0; j < y.size(); ++j) {
        if (ranks[i] <= ranks[j]) continue;
        // i is the better image; strictly higher score counts as right.
        const bool ok = y[i] > y[j];
        correct += ok;
        ++pairs;
        slot.first += ok;
        ++slot.second;
      }
    }
  }
};

// Every type's ladder of --ladder-crops random crops of each image, scored by the model.
RankingTally rank_ladders(RankNet& net, const std::vector<std::string>& files, const EvalIqaOptions& e,
                          const torch::Device& device) {
  std::mt19937 rng(e.seed + 1);
  RankingTally tally;
  Progress progress("ranking", static_cast<int>(files.size()), 0, std::cerr);
  for (size_t f = 0; f < files.size(); ++f) {
    const cv::Mat image = load_quality_image(files[f], e.crop);
    for (int c = 0; c < e.ladder_crops; ++c) {
      const cv::Mat region = random_square_crop(image, e.crop, rng);
      for (Distortion type : distortion_types(e.set)) {
        const uint64_t dseed = (static_cast<uint64_t>(rng()) << 32) | rng();
        std::vector<cv::Mat> mats;
        std::vector<int> ranks;
        for (auto& d : distortion_ladder(region, type, e.set, dseed)) {
          mats.push_back(d.image);
          ranks.push_back(d.rank);
        }
        tally.add(distortion_name(type), raw_outputs(net, mats, device), ranks);
      }
    }
    progress.update(static_cast<int>(f + 1), "");
  }
  progress.finish();
  return tally;
}

void report_ranking(const RankingTally& tally, size_t images, DistortionSet set, nlohmann::json& result) {
  nlohmann::json types = nlohmann::json::object();
  std::cout << "ranking accuracy of " << distortion_set_name(set) << " levels on " << images << " images:\n";
  for (const auto& [name, cp] : tally.per_type) {
    const double acc = cp.second ? static_cast<double>(cp.first) / cp.second : 0.0;
    types[name] = acc;
    std::cout << "  " << std::left << std::setw(10) << name << std::right << std::fixed << std::setprecision(3)
              << acc << "\n";
  }
  const double acc = tally.pairs ? static_cast<double>(tally.correct) / tally.pairs : 0.0;
  std::cout << "  all       " << std::fixed << std::setprecision(3) << acc << " (" << tally.pairs << " pairs)\n";
  result["ranking_accuracy"] = acc;
  result["ranking_pairs"] = tally.pairs;
  result["ranking_images"] = images;
  result["ranking_per_type"] = types;
}

}  // namespace

int cmd_eval_iqa(int argc, char** argv) {
  Args args = eval_iqa_args();
  if (!args.parse(argc, argv)) return 0;
  EvalIqaOptions e = read_eval_iqa_flags(args);
  const std::vector<IqaScore> scores = scores_to_evaluate(args, e);
  std::string model = args.str("model", default_model_path(Task::Quality));
  if (model.empty()) throw InputError("--model: not given and no default quality model is installed");
  ModelBundle bundle = load_bundle(model, Task::Quality);
  if (!args.has("crop")) e.crop = bundle.meta.quality_crop;  // the size the model was trained on
  const torch::Device device = parse_device(args.str("device", "cpu"));
  bundle.net->to(device);
  bundle.net->eval();
  nlohmann::json result = {{"model", model}};

  if (!scores.empty()) evaluate_scores(bundle, scores, e, device, result);
  if (e.ranking) {
    const std::vector<std::string> files = ranking_files(scores, e);
    report_ranking(rank_ladders(*bundle.net, files, e, device), files.size(), e.set, result);
    if (scores.empty()) result["n"] = files.size();
  }
  std::cout << result.dump() << "\n";
  return 0;
}

}  // namespace rv::cli
