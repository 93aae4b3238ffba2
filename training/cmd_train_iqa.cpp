// rankvision train-iqa: stage 1 learns to rank distorted copies of unlabelled
// images, stage 2 fine-tunes on scored images or trains both tasks at once
// (multi-task, Eq. 5). The output bundle maps raw outputs to 0–100.
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "engine/engines.h"
#include "iqa_cli_util.h"
#include "train/checkpoint.h"
#include "train/iqa_trainer.h"
#include "train/jsonl_log.h"
#include "train/progress.h"
#include "train/stop_signal.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

std::vector<Distortion> parse_types(const std::string& list, DistortionSet set) {
  std::vector<Distortion> types;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    const Distortion d = parse_distortion(item);
    if (!distortion_in_set(d, set))
      throw InputError("--types: '" + item + "' is not in the " + distortion_set_name(set) + " set");
    types.push_back(d);
  }
  if (types.empty()) throw InputError("--types '" + list + "': no distortion named");
  return types;
}

Args train_iqa_args() {
  Args args("train-iqa",
            "Train a no-reference quality model: learning to rank distorted copies of unlabelled images\n"
            "(stage 1), then fine-tuning or multi-task training on scored images (stage 2).",
            {
                {"images", "DIR", "unlabelled images for the ranking stage", "", true},
                {"distortions", "SET", "distortion set: tid2013 (17 types x 4 levels) or live (4 x 5)", "tid2013"},
                {"types", "LIST", "comma-separated subset of the set's distortions (names or TID2013 numbers)", "all"},
                {"scores", "CSV", "scored images: columns image,mos[,mos_std] (MOS 0-100, higher is better)", ""},
                {"score-images", "DIR", "folder holding the images named in --scores", ""},
                {"val", "N", "hold out N scored images (seeded); SROCC/PLCC reported on them", "0"},
                {"mode", "M", "stage 2: finetune (after stage 1) or multitask (L_reg + lambda L_rank)", "multitask"},
                {"lambda", "X", "weight of the ranking loss in multi-task training", "1"},
                {"margin", "X", "ranking margin in MOS points (the paper's code)", "10"},
                {"rank-iterations", "N", "stage 1 iterations (ranking only)", "1000"},
                {"iterations", "N", "stage 2 iterations (scores)", "1000"},
                {"batch", "N", "scored crops per stage-2 batch", "16"},
                {"rank-sources", "N", "source images per ranking batch", "3"},
                {"rank-types", "N", "distortion ladders per source in a ranking batch", "2"},
                {"crop", "N", "crop side in pixels (the paper: 224)", "224"},
                {"lr", "X", "stage 2 learning rate", "1e-4"},
                {"rank-lr", "X", "stage 1 learning rate", "same as --lr"},
                {"lr-step", "N", "multiply the learning rate by 0.1 every N iterations of a stage (0: never)", "0"},
                {"optimizer", "NAME", "adam or sgd (momentum 0.9)", "adam"},
                {"weight-decay", "X", "weight decay", "5e-4"},
                {"warmup", "N", "linear lr warm-up iterations at the start of each stage", "0"},
                {"lr-schedule", "step|cosine", "after warm-up: steps (--lr-step) or cosine decay over the stage", "step"},
                {"lr-floor", "X", "final lr fraction of the cosine schedule", "0.01"},
                {"trunk-lr-mult", "X", "lr factor for the pretrained trunk (e.g. 0.1)", "1"},
                freeze_trunk_flag(),
                {"arch", "NAME", "network architecture: vgg16, posenet_mnv1 (PoseNet's MobileNetV1 trunk) or centernet_mnv3 (CenterNet's MobileNetV3 trunk, COCO; needs --init its model.json or a bundle)", "vgg16"},
                {"width", "X", "channel width multiplier (1 = the paper's VGG16; 0.75 = PoseNet)", "0.25 (posenet_mnv1: 0.75)"},
                {"batch-norm", "", "batch normalisation in the trunk (advised from scratch)", ""},
                {"init", "MODEL", "start from a quality bundle (its architecture is kept), or a TF.js graph model.json "
                                  "(--arch posenet_mnv1 or centernet_mnv3: pretrained trunk)", ""},
                {"val-every", "N", "validate every N stage-2 iterations", "only at the end"},
                {"val-crops", "N", "random crops per validation image", "5"},
                {"calib-crops", "N", "random crops per training image for the 0-100 calibration", "5"},
                {"seed", "N", "random seed", "1"},
                {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
                threads_flag(),
                {"out", "FILE", "output model bundle (written atomically)", ""},
                {"log", "FILE", "JSONL log of losses and validation", "OUT.log.jsonl"},
                {"checkpoint-every", "N", "write OUT.ckpt every N iterations (and on Ctrl-C)", "200"},
                {"resume", "FILE", "continue from a checkpoint written by this command", ""},
            });
  return args;
}

// What the flags ask for, all checked before anything is written.
struct IqaRun {
  std::string out, log_path, resume;
  DistortionSet set = DistortionSet::Tid2013;
  IqaTrainOptions o;
  int freeze_layers = 0;
  long ckpt_every = 0;
  torch::Device device = torch::kCPU;

  std::string checkpoint_path() const { return out + ".ckpt"; }
};

// The images of every --images folder, for the ranking stage.
std::vector<std::string> rank_images_from(const Args& args) {
  std::vector<std::string> images;
  for (const auto& dir : args.all("images")) {
    require_dir("--images", dir);
    auto files = list_image_files(dir);
    if (files.empty()) throw InputError("--images " + dir + ": no images in the folder");
    images.insert(images.end(), files.begin(), files.end());
  }
  return images;
}

// The rows of --scores with their paths in --score-images.
std::vector<ScoredImage> scored_images_from(const Args& args) {
  if (args.has("scores") != args.has("score-images"))
    throw InputError("--scores and --score-images go together");
  std::vector<ScoredImage> scored;
  if (!args.has("scores")) return scored;
  const std::string csv = args.str("scores"), dir = args.str("score-images");
  require_file("--scores", csv);
  require_dir("--score-images", dir);
  for (const auto& s : read_scores_in(csv, dir))
    scored.push_back({(std::filesystem::path(dir) / s.image).string(), s.mos});
  return scored;
}

// --val N scored images held out for validation, the rest trained on (and --seed).
void split_scored(const Args& args, std::vector<ScoredImage> scored, IqaTrainOptions& o) {
  const long n_val = args.integer("val", 0, 0, 1000000);
  if (n_val > 0 && n_val + 2 > static_cast<long>(scored.size()))
    throw InputError("--val " + std::to_string(n_val) + ": needs at least " + std::to_string(n_val + 2) +
                     " scored images (have " + std::to_string(scored.size()) + ")");
  o.seed = static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L));
  // The held-out split depends only on the seed and the CSV.
  shuffle_for_holdout(scored, o.seed);
  o.val.assign(scored.begin(), scored.begin() + n_val);
  o.train.assign(scored.begin() + n_val, scored.end());
}

// The two stages: mode, losses, iterations, batches and their optimiser.
void read_stages(const Args& args, IqaTrainOptions& o) {
  const std::string mode = args.str("mode", "multitask");
  if (mode != "finetune" && mode != "multitask") throw InputError("--mode '" + mode + "': expected finetune or multitask");
  o.multitask = mode == "multitask" && !o.rank_images.empty() && !o.train.empty();
  o.lambda = args.real("lambda", 1.0, 0.0, 1e6);
  o.margin = args.real("margin", 10.0, 0.0, 1000.0);
  o.rank_iterations = o.rank_images.empty() ? 0 : static_cast<int>(args.integer("rank-iterations", 1000, 0, 100000000));
  o.iterations = o.train.empty() ? 0 : static_cast<int>(args.integer("iterations", 1000, 0, 100000000));
  if (o.rank_images.empty() && args.has("rank-iterations") && args.integer("rank-iterations", 0) > 0)
    throw InputError("--rank-iterations needs --images (unlabelled images to distort)");
  if (o.train.empty() && args.has("iterations") && args.integer("iterations", 0) > 0 && o.rank_images.empty())
    throw InputError("--iterations needs --scores and --score-images");
  o.batch = static_cast<int>(args.integer("batch", 16, 1, 4096));
  o.distortions.sources = static_cast<int>(args.integer("rank-sources", 3, 1, 1024));
  o.distortions.types_per_source = static_cast<int>(args.integer("rank-types", 2, 1, 17));
  o.distortions.crop = static_cast<int>(args.integer("crop", 224, 32, 4096));
  o.optimiser.lr = args.real("lr", 1e-4, 1e-12, 10.0);
  o.rank_lr = args.real("rank-lr", o.optimiser.lr, 1e-12, 10.0);
  o.optimiser.lr_step = args.integer("lr-step", 0, 0, 100000000);
  o.optimiser.kind = args.str("optimizer", "adam");
  o.optimiser.weight_decay = args.real("weight-decay", 5e-4, 0.0, 1.0);
  o.optimiser.warmup = args.integer("warmup", 0, 0, 100000000);
  o.optimiser.schedule = args.str("lr-schedule", "step");
  o.optimiser.cosine_floor = args.real("lr-floor", 0.01, 0.0, 1.0);
  o.optimiser.trunk_lr_mult = args.real("trunk-lr-mult", 1.0, 1e-6, 1e3);
}

// Reads and checks every flag; applies --threads.
IqaRun read_train_iqa_flags(const Args& args) {
  IqaRun run;
  run.out = args.required("out");
  check_output_file("--out", run.out);
  run.log_path = args.str("log", run.out + ".log.jsonl");
  check_output_file("--log", run.log_path);
  run.set = parse_distortion_set(args.str("distortions", "tid2013"));

  IqaTrainOptions& o = run.o;
  o.distortions.set = run.set;
  if (args.has("types")) o.distortions.types = parse_types(args.str("types"), run.set);
  o.rank_images = rank_images_from(args);
  split_scored(args, scored_images_from(args), o);
  read_stages(args, o);
  run.freeze_layers = freeze_trunk_from(args);
  o.val_every = static_cast<int>(args.integer("val-every", 0, 0, 100000000));
  o.val_crops = static_cast<int>(args.integer("val-crops", 5, 1, 1000));
  o.calib_crops = static_cast<int>(args.integer("calib-crops", 5, 1, 1000));
  run.ckpt_every = args.integer("checkpoint-every", 200, 0, 100000000);
  if (o.rank_images.empty() && o.train.empty())
    throw InputError("nothing to train on: give --images (ranking) and/or --scores with --score-images");
  rv::validate(o);
  run.device = parse_device(args.str("device", "cpu"));
  apply_threads(args);
  run.resume = args.str("resume");
  return run;
}

// A new network of --arch / --width / --batch-norm, or --init: a quality bundle (its architecture
// kept) or a TF.js graph (model.json: PoseNet's MobileNetV1 or CenterNet's MobileNetV3) for the trunk.
ModelBundle fresh_quality_bundle(const Args& args) {
  NetSpec spec;
  spec.task = Task::Quality;
  spec.arch = args.str("arch", "vgg16");
  spec.width = args.real("width", default_width(spec.arch), 0.01, 4.0);
  spec.batch_norm = args.flag("batch-norm");
  set_arch_normalisation(spec);
  const std::string init = args.str("init");
  const bool graph = init.size() > 5 && init.compare(init.size() - 5, 5, ".json") == 0;
  if (!init.empty() && !graph) return load_bundle(init, Task::Quality);
  if (!graph) return make_bundle(spec);
  require_file("--init", init);
  return make_bundle_from_graph(spec, init, std::cout);
}

// Where training starts: a train-iqa checkpoint (--resume) with the iterations it had done, or afresh.
struct IqaStart {
  ModelBundle bundle;
  int rank_done = 0, done = 0;
};

IqaStart iqa_start(const Args& args, const std::string& resume) {
  IqaStart start;
  if (resume.empty()) {
    start.bundle = fresh_quality_bundle(args);
    return start;
  }
  LoadedCheckpoint c = load_checkpoint(resume);
  if (c.bundle.meta.spec.task != Task::Quality) throw InputError("--resume " + resume + ": not a quality model");
  const auto& st = c.training_state;
  if (st.value("command", "") != "train-iqa" || !st.contains("rank_iteration") || !st.contains("iteration"))
    throw InputError("--resume " + resume + ": not a train-iqa checkpoint");
  start.bundle = c.bundle;
  start.rank_done = st["rank_iteration"].get<int>();
  start.done = st["iteration"].get<int>();
  return start;
}

// The provenance of the bundle (and of its checkpoints, r == nullptr): what was trained on and how.
nlohmann::json iqa_provenance(const nlohmann::json& base, const IqaRun& run, const std::string& command,
                              const IqaTrainResult* r) {
  const IqaTrainOptions& o = run.o;
  nlohmann::json p = base.is_object() ? base : nlohmann::json::object();
  p["command"] = command;
  p["date"] = iso_date_now();
  p["mode"] = to_string(iqa_mode(o));
  p["distortions"] = distortion_set_name(run.set);
  p["unlabelled_images"] = o.rank_images.size();
  p["train_images"] = o.train.size();
  p["val_images"] = o.val.size();
  {
    // Which images were held out, by file name (eval-iqa --holdout N --split-seed S gives the same).
    nlohmann::json names = nlohmann::json::array();
    for (const auto& v : o.val) names.push_back(std::filesystem::path(v.path).filename().string());
    p["val_image_names"] = names;
  }
  p["rank_iterations"] = o.rank_iterations;
  p["iterations"] = o.iterations;
  p["seed"] = o.seed;
  if (r && o.val.size() >= 2) p["val"] = {{"srocc", r->val_srocc}, {"plcc", r->val_plcc}, {"n", o.val.size()}};
  return p;
}

// The latest losses of a log record, for the progress line ("" when it has none).
std::string loss_numbers(const nlohmann::json& j) {
  std::ostringstream nums;
  nums << std::setprecision(4);
  if (j.contains("rank_loss_avg")) nums << "rank loss " << j["rank_loss_avg"].get<double>();
  if (j.contains("reg_loss_avg")) nums << "reg loss " << j["reg_loss_avg"].get<double>();
  if (j.contains("rank_loss") && j.contains("reg_loss_avg")) nums << " rank " << j["rank_loss"].get<double>();
  return nums.str();
}

// Runs the trainer from `start` with the JSONL log, a progress line per stage, and a checkpoint every
// --checkpoint-every iterations and on Ctrl-C (then the result says stopped).
IqaTrainResult train_with_checkpoints(IqaStart& start, const IqaRun& run, const std::string& command, JsonlLog& log) {
  ModelBundle& bundle = start.bundle;
  const std::string ckpt = run.checkpoint_path();
  auto checkpoint = [&](int rank_it, int it, torch::optim::Optimizer& opt) {
    ModelBundle ck = bundle;
    ck.meta.provenance = iqa_provenance(bundle.meta.provenance, run, command, nullptr);
    save_checkpoint(ckpt, ck, opt, {{"command", "train-iqa"}, {"rank_iteration", rank_it}, {"iteration", it}});
  };

  std::unique_ptr<Progress> progress;
  std::string current_stage;
  int rank_seen = start.rank_done, it_seen = start.done;
  std::string last_numbers;
  auto observer = [&](const nlohmann::json& j) {
    log.write(j);
    const std::string stage = j.value("stage", "");
    const std::string nums = loss_numbers(j);
    if (!nums.empty()) last_numbers = nums;
    if (stage == "val" || stage == "calibrate") std::cerr << stage << ": " << j.dump() << "\n";
  };
  clear_stop_request();
  install_stop_handler();
  auto hook = [&](const std::string& stage, int it, int total, torch::optim::Optimizer& opt) {
    if (stage != current_stage) {
      if (progress) progress->finish();
      current_stage = stage;
      progress = std::make_unique<Progress>(stage, total, it - 1, std::cerr);
    }
    (stage == "rank" ? rank_seen : it_seen) = it;
    progress->update(it, last_numbers);
    // A stage's last iteration is not checkpointed: the next stage starts afresh.
    if (stop_requested()) {
      checkpoint(rank_seen, it_seen, opt);
      return false;
    }
    if (run.ckpt_every > 0 && it % run.ckpt_every == 0 && it != total) checkpoint(rank_seen, it_seen, opt);
    return true;
  };
  auto restore = [&](torch::optim::Optimizer& opt) {
    if (!run.resume.empty()) load_optimiser_state(run.resume, opt);
  };
  IqaTrainer trainer(bundle.net, run.o, run.device);
  IqaTrainResult r = trainer.run(start.rank_done, start.done, observer, hook, restore);
  if (progress) progress->finish();
  return r;
}

// The trained network with its 0-100 calibration and provenance to --out; the checkpoint goes.
void save_quality_model(ModelBundle& bundle, const IqaRun& run, const std::string& command, const IqaTrainResult& r,
                        double seconds) {
  bundle.net->to(torch::kCPU);
  bundle.net->eval();
  bundle.meta.score_scale = r.score_scale;
  bundle.meta.score_offset = r.score_offset;
  bundle.meta.quality_crop = run.o.distortions.crop;
  bundle.meta.provenance = iqa_provenance(bundle.meta.provenance, run, command, &r);
  bundle.meta.provenance["seconds"] = seconds;
  save_bundle(run.out, bundle);
  std::error_code ec;
  std::filesystem::remove(run.checkpoint_path(), ec);
  std::filesystem::remove(run.checkpoint_path() + ".optim", ec);
}

void report_train_iqa(const IqaRun& run, const IqaTrainResult& r, double seconds) {
  const IqaTrainOptions& o = run.o;
  nlohmann::json summary = {{"out", run.out},
                            {"mode", to_string(iqa_mode(o))},
                            {"rank_iterations", o.rank_iterations},
                            {"iterations", o.iterations},
                            {"score_scale", r.score_scale},
                            {"score_offset", r.score_offset},
                            {"seconds", seconds}};
  if (!std::isnan(r.final_rank_loss)) summary["rank_loss"] = r.final_rank_loss;
  if (!std::isnan(r.final_reg_loss)) summary["reg_loss"] = r.final_reg_loss;
  if (o.val.size() >= 2) {
    summary["val_srocc"] = r.val_srocc;
    summary["val_plcc"] = r.val_plcc;
    summary["val_n"] = o.val.size();
    std::cout << "held-out " << o.val.size() << " images: SROCC " << r.val_srocc << ", PLCC " << r.val_plcc << "\n";
  }
  std::cout << "wrote " << run.out << " (" << std::fixed << std::setprecision(1) << seconds << " s)\n";
  std::cout << summary.dump() << "\n";
}

}  // namespace

int cmd_train_iqa(int argc, char** argv) {
  Args args = train_iqa_args();
  if (!args.parse(argc, argv)) return 0;
  // ---- everything is checked before anything is written ----
  const IqaRun run = read_train_iqa_flags(args);
  torch::manual_seed(run.o.seed);

  IqaStart start = iqa_start(args, run.resume);
  ModelBundle& bundle = start.bundle;
  freeze_trunk(*bundle.net, run.freeze_layers, &std::cout);
  bundle.net->train();

  JsonlLog log(run.log_path, !run.resume.empty());
  const std::string command = command_line("train-iqa", argc, argv);
  const IqaTrainOptions& o = run.o;
  std::cout << "train-iqa: " << to_string(iqa_mode(o)) << ", " << o.rank_images.size() << " unlabelled images ("
            << distortion_set_name(run.set) << "), " << o.train.size() << " scored for training, " << o.val.size()
            << " held out; width " << bundle.meta.spec.width << (bundle.meta.spec.batch_norm ? " +BN" : "")
            << ", device " << run.device << "\n";
  if (start.rank_done || start.done)
    std::cout << "resuming at rank iteration " << start.rank_done << ", iteration " << start.done << "\n";

  const auto t0 = std::chrono::steady_clock::now();
  const IqaTrainResult r = train_with_checkpoints(start, run, command, log);
  if (r.stopped) {
    std::cerr << "train-iqa: interrupted; checkpoint " << run.checkpoint_path() << " (continue with --resume "
              << run.checkpoint_path() << ")\n";
    return 130;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  save_quality_model(bundle, run, command, r, seconds);
  report_train_iqa(run, r, seconds);
  return 0;
}

}  // namespace rv::cli
