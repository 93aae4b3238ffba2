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
#include "model/mobilenet.h"
#include "iqa_cli_util.h"
#include "train/checkpoint.h"
#include "train/iqa_trainer.h"
#include "train/jsonl_log.h"
#include "train/progress.h"
#include "train/stop_signal.h"

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

}  // namespace

int cmd_train_iqa(int argc, char** argv) {
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
                {"freeze-trunk", "N", "keep the first N conv layers of the trunk fixed", "0"},
                {"arch", "NAME", "network architecture: vgg16 or posenet_mnv1 (PoseNet's MobileNetV1 trunk)", "vgg16"},
                {"width", "X", "channel width multiplier (1 = the paper's VGG16; 0.75 = PoseNet)", "0.25 (posenet_mnv1: 0.75)"},
                {"batch-norm", "", "batch normalisation in the trunk (advised from scratch)", ""},
                {"init", "MODEL", "start from a quality bundle (its architecture is kept), or a TF.js MobileNetV1 "
                                  "model.json (--arch posenet_mnv1: pretrained trunk)", ""},
                {"val-every", "N", "validate every N stage-2 iterations", "only at the end"},
                {"val-crops", "N", "random crops per validation image", "5"},
                {"calib-crops", "N", "random crops per training image for the 0-100 calibration", "5"},
                {"seed", "N", "random seed", "1"},
                {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
                {"threads", "N", "LibTorch threads (0: LibTorch's default)", "0"},
                {"out", "FILE", "output model bundle (written atomically)", ""},
                {"log", "FILE", "JSONL log of losses and validation", "OUT.log.jsonl"},
                {"checkpoint-every", "N", "write OUT.ckpt every N iterations (and on Ctrl-C)", "200"},
                {"resume", "FILE", "continue from a checkpoint written by this command", ""},
            });
  if (!args.parse(argc, argv)) return 0;

  // ---- everything is checked before anything is written ----
  const std::string out = args.required("out");
  check_output_file("--out", out);
  const std::string log_path = args.str("log", out + ".log.jsonl");
  check_output_file("--log", log_path);
  const DistortionSet set = parse_distortion_set(args.str("distortions", "tid2013"));

  IqaTrainOptions o;
  o.distortions.set = set;
  if (args.has("types")) o.distortions.types = parse_types(args.str("types"), set);
  for (const auto& dir : args.all("images")) {
    require_dir("--images", dir);
    auto files = list_image_files(dir);
    if (files.empty()) throw InputError("--images " + dir + ": no images in the folder");
    o.rank_images.insert(o.rank_images.end(), files.begin(), files.end());
  }
  if (args.has("scores") != args.has("score-images"))
    throw InputError("--scores and --score-images go together");
  std::vector<ScoredImage> scored;
  if (args.has("scores")) {
    const std::string csv = args.str("scores"), dir = args.str("score-images");
    require_file("--scores", csv);
    require_dir("--score-images", dir);
    for (const auto& s : read_iqa_scores_csv(csv)) {
      const std::string p = (std::filesystem::path(dir) / s.image).string();
      if (!std::filesystem::is_regular_file(p)) throw InputError(csv + ": image " + s.image + " not found in " + dir);
      scored.push_back({p, s.mos});
    }
    if (scored.empty()) throw InputError("--scores " + csv + ": no rows");
  }
  const long n_val = args.integer("val", 0, 0, 1000000);
  if (n_val > 0 && n_val + 2 > static_cast<long>(scored.size()))
    throw InputError("--val " + std::to_string(n_val) + ": needs at least " + std::to_string(n_val + 2) +
                     " scored images (have " + std::to_string(scored.size()) + ")");
  o.seed = static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L));
  {
    // The held-out split depends only on the seed and the CSV.
    shuffle_for_holdout(scored, o.seed);
    o.val.assign(scored.begin(), scored.begin() + n_val);
    o.train.assign(scored.begin() + n_val, scored.end());
  }
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
  const int freeze_layers = static_cast<int>(args.integer("freeze-trunk", 0, 0, 1000));
  o.val_every = static_cast<int>(args.integer("val-every", 0, 0, 100000000));
  o.val_crops = static_cast<int>(args.integer("val-crops", 5, 1, 1000));
  o.calib_crops = static_cast<int>(args.integer("calib-crops", 5, 1, 1000));
  const long ckpt_every = args.integer("checkpoint-every", 200, 0, 100000000);
  const long threads = args.integer("threads", 0, 0, 1024);
  if (o.rank_images.empty() && o.train.empty())
    throw InputError("nothing to train on: give --images (ranking) and/or --scores with --score-images");
  rv::validate(o);
  const torch::Device device = parse_device(args.str("device", "cpu"));
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
  torch::manual_seed(o.seed);

  ModelBundle bundle;
  int rank_done = 0, done = 0;
  const std::string resume = args.str("resume");
  if (!resume.empty()) {
    LoadedCheckpoint c = load_checkpoint(resume);
    if (c.bundle.meta.spec.task != Task::Quality) throw InputError("--resume " + resume + ": not a quality model");
    const auto& st = c.training_state;
    if (st.value("command", "") != "train-iqa" || !st.contains("rank_iteration") || !st.contains("iteration"))
      throw InputError("--resume " + resume + ": not a train-iqa checkpoint");
    bundle = c.bundle;
    rank_done = st["rank_iteration"].get<int>();
    done = st["iteration"].get<int>();
  } else {
    NetSpec spec;
    spec.task = Task::Quality;
    spec.arch = args.str("arch", "vgg16");
    spec.width = args.real("width", default_width(spec.arch), 0.01, 4.0);
    spec.batch_norm = args.flag("batch-norm");
    set_arch_normalisation(spec);
    const std::string init = args.str("init");
    const bool graph = init.size() > 5 && init.compare(init.size() - 5, 5, ".json") == 0;
    if (!init.empty() && !graph) {
      bundle = load_bundle(init, Task::Quality);
    } else {
      bundle = make_bundle(spec);
      if (graph) {
        require_file("--init", init);
        const int n = import_tfjs_trunk(*bundle.net, init);
        std::cout << "imported " << n << " MobileNetV1 layers from " << init << "\n";
        bundle.meta.provenance["init"] = init;
      }
    }
  }
  if (freeze_layers > 0) {
    const int n = freeze_trunk_layers(*bundle.net, freeze_layers);
    std::cout << "froze the first " << n << " trunk layers\n";
  }
  bundle.net->train();

  JsonlLog log(log_path, !resume.empty());
  const std::string command = join_argv("train-iqa", argc, argv);
  const IqaMode iqa = iqa_mode(o);
  std::cout << "train-iqa: " << to_string(iqa) << ", " << o.rank_images.size() << " unlabelled images ("
            << distortion_set_name(set) << "), " << o.train.size() << " scored for training, " << o.val.size()
            << " held out; width " << bundle.meta.spec.width << (bundle.meta.spec.batch_norm ? " +BN" : "")
            << ", device " << device << "\n";
  if (rank_done || done) std::cout << "resuming at rank iteration " << rank_done << ", iteration " << done << "\n";

  auto provenance = [&](const IqaTrainResult* r) {
    nlohmann::json p = bundle.meta.provenance.is_object() ? bundle.meta.provenance : nlohmann::json::object();
    p["command"] = command;
    p["date"] = iso_date_now();
    p["mode"] = to_string(iqa);
    p["distortions"] = distortion_set_name(set);
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
  };
  const std::string ckpt = out + ".ckpt";
  auto checkpoint = [&](int rank_it, int it, torch::optim::Optimizer& opt) {
    ModelBundle ck = bundle;
    ck.meta.provenance = provenance(nullptr);
    save_checkpoint(ckpt, ck, opt, {{"command", "train-iqa"}, {"rank_iteration", rank_it}, {"iteration", it}});
  };

  std::unique_ptr<Progress> progress;
  std::string current_stage;
  int rank_seen = rank_done, it_seen = done;
  std::string last_numbers;
  auto observer = [&](const nlohmann::json& j) {
    log.write(j);
    const std::string stage = j.value("stage", "");
    std::ostringstream nums;
    nums << std::setprecision(4);
    if (j.contains("rank_loss_avg")) nums << "rank loss " << j["rank_loss_avg"].get<double>();
    if (j.contains("reg_loss_avg")) nums << "reg loss " << j["reg_loss_avg"].get<double>();
    if (j.contains("rank_loss") && j.contains("reg_loss_avg")) nums << " rank " << j["rank_loss"].get<double>();
    if (!nums.str().empty()) last_numbers = nums.str();
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
    if (ckpt_every > 0 && it % ckpt_every == 0 && it != total) checkpoint(rank_seen, it_seen, opt);
    return true;
  };
  auto restore = [&](torch::optim::Optimizer& opt) {
    if (!resume.empty()) load_optimiser_state(resume, opt);
  };
  const auto t0 = std::chrono::steady_clock::now();
  IqaTrainer trainer(bundle.net, o, device);
  IqaTrainResult r = trainer.run(rank_done, done, observer, hook, restore);
  if (progress) progress->finish();
  if (r.stopped) {
    std::cerr << "train-iqa: interrupted; checkpoint " << ckpt << " (continue with --resume " << ckpt << ")\n";
    return 130;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  bundle.net->to(torch::kCPU);
  bundle.net->eval();
  bundle.meta.score_scale = r.score_scale;
  bundle.meta.score_offset = r.score_offset;
  bundle.meta.provenance = provenance(&r);
  bundle.meta.provenance["seconds"] = seconds;
  save_bundle(out, bundle);
  std::error_code ec;
  std::filesystem::remove(ckpt, ec);
  std::filesystem::remove(ckpt + ".optim", ec);

  nlohmann::json summary = {{"out", out},
                            {"mode", to_string(iqa)},
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
  std::cout << "wrote " << out << " (" << std::fixed << std::setprecision(1) << seconds << " s)\n";
  std::cout << summary.dump() << "\n";
  return 0;
}

}  // namespace rv::cli
