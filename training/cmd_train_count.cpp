// rankvision train-count: multi-task training of a counting model (Eq. 5).
#include <chrono>
#include <iostream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "count_sources.h"
#include "model/density_net.h"
#include "model/vgg.h"
#include "train/checkpoint.h"
#include "train/count_trainer.h"
#include "train/distributed.h"
#include "train/stop_signal.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

Args train_count_args() {
  Args a("train-count",
         "Train a counting model: Euclidean loss on density maps of labelled patches plus lambda x the all-pairs\n"
         "ranking loss on nested crops of unlabelled images (Eq. 5). Data-parallel when WORLD_SIZE > 1\n"
         "(MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK; Gloo). Ctrl-C writes a checkpoint and stops.",
         labelled_flags() + density_flags() + unlabelled_flags() +
             std::vector<FlagSpec>{
                 {"out", "FILE", "output model bundle (required)"},
                 {"iterations", "N", "training iterations", "1000"},
                 {"arch", "NAME", "network architecture: vgg16 | posenet_mnv1 (PoseNet's MobileNetV1, stride-8 decoder) | centernet_mnv3 (CenterNet's MobileNetV3 + FPN, COCO; needs --init its model.json or a bundle)", "vgg16"},
                 {"width", "X", "channel multiplier (1 = the paper's VGG16; posenet_mnv1: 0.75)", "0.25 | 0.75"},
                 {"batch-norm", "", "batch normalisation after every conv (compact models from scratch)"},
                 {"decoder", "NAME", "centernet_mnv3 density decoder: pool (stride-4 features averaged to stride 8) | fine (a 1x1 at stride 4, its 2x2 cells stacked into channels); with a bundle --init of another decoder, its trunk under a new decoder", "pool | --init's"},
                 {"init", "FILE", "start from a model bundle, a torchvision VGG16 .pth state dict, or the TF.js model.json of PoseNet (posenet_mnv1) or CenterNet (centernet_mnv3)"},
                 freeze_trunk_flag(),
                 {"background", "X", "fraction of labelled patches redrawn until they hold nobody", "0"},
                 {"count-weight", "X", "add X x (patch count error)^2 to the density loss", "0"},
                 {"pooled-weight", "X", "add X x the density loss on 2x2- and 4x4-cell sums (penalises haze)", "0"},
                 {"background-l1", "X", "add X x the absolute density on cells with no labelled head within 2 cells "
                                        "(L1 against haze on the background)", "0"},
                 {"loss", "NAME", "labelled loss: euclidean (Gaussian density maps, Eq. 17) | bayesian (head points, Bayesian loss with a background class)", "euclidean"},
                 {"bayes-sigma", "PX", "bayesian: posterior Gaussian sigma, pixels of the original image", "8"},
                 {"bayes-background", "X", "bayesian: background distance as a fraction of the patch side (0 = no background class)", "0.15"},
                 {"stop-after", "N", "stop as Ctrl-C would (checkpoint, exit 130) after N of --iterations", "0"},
                 {"input-scale", "X", "resize all images by X first (faster; stored in the bundle)", "1"},
                 {"input-size", "PX", "side of labelled patches and ranked crops (multiple of 16)", "224"},
                 {"patch-min", "PX", "smallest labelled patch side (scaled pixels)", "56"},
                 {"patch-max", "PX", "largest labelled patch side (scaled pixels)", "448"},
                 {"batch", "N", "labelled patches per iteration", "8"},
                 {"rank-sets", "N", "nested crop sets per iteration (k crops each)", "3"},
                 {"rank-k", "N", "crops per nested set", "5"},
                 {"rank-s", "X", "side ratio of consecutive crops", "0.75"},
                 {"rank-r", "X", "anchor region = image / r", "8"},
                 {"pairs", "MODE", "efficient (all pairs) | random | hard", "efficient"},
                 {"pair-count", "N", "pairs per iteration for random/hard (0 = half of them)", "0"},
                 {"lambda", "X", "weight of the ranking loss", "1"},
                 {"teacher", "FILE", "a counting bundle whose density maps are the targets of the teacher patches "
                                     "(keeps a fine-tuning's density where the teacher puts it)"},
                 {"teacher-batch", "N", "teacher patches per iteration, cut from the --unlabeled-* images "
                                        "(or the labelled training images) as labelled patches are", "8 with --teacher"},
                 {"teacher-weight", "X", "weight of the teacher patches' Euclidean loss", "1"},
                 {"trunk-anchor", "X", "L2-SP: add X x the squared distance of the trainable trunk weights from "
                                       "those the run starts from (--init's; on --resume the checkpoint's)", "0"},
                 {"teacher-floor", "D", "the teacher loss only on cells where the teacher's map, max-pooled over 5x5 "
                                        "cells, is below D (where it sees nobody); 0 = every cell", "0"},
                 {"no-rank", "", "baseline: labelled loss only"},
                 {"freeze-bn", "", "keep batch-norm statistics fixed (eval mode)"},
                 {"no-flip", "", "no horizontal flips of labelled patches"},
                 {"color-jitter", "X", "scale saturation, contrast and brightness of labelled patches by U[1-X, 1+X] each", "0"},
                 {"extra-shanghaitech", "DIR", "labelled set for training only, never in the --val split", "", true},
                 {"extra-points", "FILE", "point annotations (JSON or CSV) for training only, never in the --val split; "
                                          "give one more time to draw its images more often", "", true},
                 {"extra-images", "DIR", "folder of the images named in --extra-points (one, or one per --extra-points)", "", true},
                 {"val", "N", "hold out N labelled images for validation (drawn from the sets above)", "0"},
                 {"val-every", "N", "validate every N iterations (and at the end)", "0"},
             } +
             optimiser_flags() + run_flags());
  return a;
}

// What the flags ask for, all checked before any data is read.
struct CountRun {
  std::string out;
  CountTrainOptions o;
  int freeze_layers = 0;
  long n_val = 0;
  double scale = 1.0;
};

// Patches, ranked crop sets and the terms of the loss.
void read_patches_and_losses(const Args& a, CountTrainOptions& o) {
  o.iterations = a.integer("iterations", 1000, 1, 100000000);
  o.input_size = static_cast<int>(a.integer("input-size", 224, 16, 4096));
  o.patch_min = static_cast<int>(a.integer("patch-min", 56, 8, 100000));
  o.patch_max = static_cast<int>(a.integer("patch-max", 448, 8, 100000));
  if (o.patch_max < o.patch_min) throw InputError("--patch-max: must be >= --patch-min");
  o.batch = static_cast<int>(a.integer("batch", 8, 0, 4096));
  o.rank_sets = static_cast<int>(a.integer("rank-sets", 3, 0, 4096));
  o.crops.k = static_cast<int>(a.integer("rank-k", 5, 2, 64));
  o.crops.s = a.real("rank-s", 0.75, 1e-3, 0.999);
  o.crops.r = a.real("rank-r", 8.0, 1.0, 1000.0);
  o.pairs = pair_mode_from_string(a.str("pairs", "efficient"));
  o.pair_count = a.integer("pair-count", 0, 0, 1L << 30);
  o.lambda = a.real("lambda", 1.0, 0.0, 1e9);
  o.rank = !a.flag("no-rank");
  o.freeze_bn = a.flag("freeze-bn");
  o.flip = !a.flag("no-flip");
  o.color_jitter = a.real("color-jitter", 0.0, 0.0, 0.9);
  o.background = a.real("background", 0.0, 0.0, 1.0);
  o.count_weight = a.real("count-weight", 0.0, 0.0, 1e6);
  o.pooled_weight = a.real("pooled-weight", 0.0, 0.0, 1e6);
  o.background_l1 = a.real("background-l1", 0.0, 0.0, 1e6);
  o.stop_after = a.integer("stop-after", 0, 0, 1L << 40);
  o.teacher_batch = static_cast<int>(a.integer("teacher-batch", a.has("teacher") ? 8 : 0, 0, 4096));
  o.teacher_weight = a.real("teacher-weight", 1.0, 0.0, 1e6);
  o.teacher_floor = a.real("teacher-floor", 0.0, 0.0, 1e6);
  o.trunk_anchor = a.real("trunk-anchor", 0.0, 0.0, 1e9);
  if (o.teacher_batch > 0 && !a.has("teacher")) throw InputError("--teacher-batch: needs --teacher FILE");
}

// Reads and checks every flag (but the data and network ones); applies --threads.
CountRun read_train_count_flags(const Args& a) {
  CountRun run;
  run.out = a.required("out");
  check_output_path(run.out, "--out");
  apply_threads(a);

  CountTrainOptions& o = run.o;
  read_patches_and_losses(a, o);
  run.freeze_layers = freeze_trunk_from(a);
  o.clip_norm = a.real("clip", 0.0, 0.0, 1e9);
  o.optimiser = optimiser_from(a);
  o.seed = seed_from(a);
  o.val_every = a.integer("val-every", 0, 0, 1L << 40);
  o.checkpoint_every = a.integer("checkpoint-every", 0, 0, 1L << 40);
  o.checkpoint_path = a.str("checkpoint", run.out + ".ckpt");
  o.log_path = a.str("log");
  o.log_every = a.integer("log-every", 10, 1, 1L << 40);
  o.progress = !a.flag("quiet");
  o.device = a.str("device", "cpu");
  run.n_val = a.integer("val", 0, 0, 1000000);
  run.scale = a.real("input-scale", 1.0, 0.05, 8.0);
  const std::string loss = a.str("loss", "euclidean");
  if (loss != "euclidean" && loss != "bayesian")
    throw InputError("--loss '" + loss + "': must be euclidean or bayesian");
  o.bayesian = loss == "bayesian";
  o.bayes_sigma = a.real("bayes-sigma", 8.0, 1e-3, 1e4) * run.scale;
  o.bayes_background = a.real("bayes-background", 0.15, 0.0, 10.0);
  if (!o.log_path.empty()) check_output_path(o.log_path, "--log");
  check_output_path(o.checkpoint_path, "--checkpoint");
  return run;
}

// The labelled images less the --val N held out (seeded), the --extra-* sets, and the
// unlabelled images of the ranking loss.
CountTrainData load_train_count_data(const Args& a, const CountRun& run) {
  CountTrainData data;
  auto labelled = load_labelled(a, run.scale, density_from(a));
  const long n_val = run.n_val;
  if (n_val > 0) {
    if (n_val >= static_cast<long>(labelled.size()))
      throw InputError("--val " + std::to_string(n_val) + ": only " + std::to_string(labelled.size()) +
                       " labelled images (keep at least one for training)");
    std::mt19937 split_rng(run.o.seed);
    std::shuffle(labelled.begin(), labelled.end(), split_rng);
    data.validation.assign(std::make_move_iterator(labelled.begin()), std::make_move_iterator(labelled.begin() + n_val));
    labelled.erase(labelled.begin(), labelled.begin() + n_val);
  }
  // Extra sets join after the split, so adding one leaves the validation images
  // (and `eval-count --holdout N --seed S`) exactly as they were without it.
  if (a.has("extra-images") && !a.has("extra-points"))
    throw InputError("--extra-points and --extra-images go together");
  load_labelled_sets(a, "extra-shanghaitech", "extra-points", "extra-images", run.scale, density_from(a), labelled);
  data.labelled = std::move(labelled);
  if (run.o.rank || run.o.teacher_batch > 0) {
    data.unlabelled = load_unlabelled(a, run.scale);
    if (data.unlabelled.empty()) {
      // Without separate unlabelled data the labelled training images double as the unlabelled pool.
      for (const auto& li : data.labelled) data.unlabelled.push_back(li.image);
      if (!data.unlabelled.empty())
        std::cerr << "note: no --unlabeled-* source; " << (run.o.rank ? "ranking" : "teacher patches") << " on the "
                  << data.unlabelled.size() << " labelled training images\n";
    }
  }
  if (data.labelled.empty() && data.unlabelled.empty())
    throw InputError("train-count: no data (give --shanghaitech, --points/--images or --unlabeled-*)");
  return data;
}

// The network to train: a checkpoint's (--resume, which run.o then continues), --init's or a fresh one;
// at --input-scale, with --freeze-trunk applied.
ModelBundle starting_bundle(const Args& a, CountRun& run, const NetSpec& spec, bool main_rank) {
  ModelBundle bundle;
  const std::string resume = a.str("resume");
  if (!resume.empty()) {
    auto ck = load_checkpoint(resume);
    bundle = std::move(ck.bundle);
    run.o.resume_path = resume;
    run.o.resume_state = ck.training_state;
  } else {
    bundle = initial_count_bundle(a.str("init"), spec);
  }
  bundle.meta.input_scale = run.scale;
  freeze_trunk(*bundle.net, run.freeze_layers, main_rank ? &std::cerr : nullptr);
  return bundle;
}

// --teacher's network (null without it): a counting bundle with a density map.
RankNetPtr teacher_net(const Args& a) {
  if (!a.has("teacher")) return nullptr;
  const std::string path = a.str("teacher");
  ModelBundle t = load_bundle(path, Task::Count);
  if (t.meta.spec.arch == "centernet_peaks")
    throw InputError("--teacher " + path + ": architecture 'centernet_peaks' gives no density map");
  return t.net;
}

// The teacher's map must have the trained network's cells.
void check_teacher(const Args& a, const RankNetPtr& teacher, const ModelBundle& student) {
  if (teacher && teacher->output_stride() != student.net->output_stride())
    throw InputError("--teacher " + a.str("teacher") + ": output stride " + std::to_string(teacher->output_stride()) +
                     ", the trained network's is " + std::to_string(student.net->output_stride()));
}

nlohmann::json summary_of(const CountTrainResult& result) {
  nlohmann::json summary = {{"iterations", result.iterations_done},
                            {"interrupted", result.interrupted},
                            {"seconds", result.seconds},
                            {"it_per_s", result.iterations_per_second}};
  if (!result.last_validation.is_null()) {
    summary["val_mae"] = result.last_validation["mae"];
    summary["val_mse"] = result.last_validation["mse"];
    summary["val_n"] = result.last_validation["n"];
  }
  return summary;
}

// The trained bundle with its provenance to --out.
void save_count_model(ModelBundle& bundle, const std::string& out, const std::string& command,
                      const CountTrainResult& result, const CountTrainData& data, const Distributed* dist) {
  auto& prov = bundle.meta.provenance;
  prov["command"] = command;
  prov["date"] = iso_date_now();
  prov["iterations"] = result.iterations_done;
  prov["labelled_images"] = data.labelled.size();
  prov["unlabelled_images"] = data.unlabelled.size();
  prov["world_size"] = dist ? dist->world_size() : 1;
  if (!result.last_validation.is_null()) prov["validation"] = result.last_validation;
  save_bundle(out, bundle);
}

}  // namespace

int cmd_train_count(int argc, char** argv) {
  Args a = train_count_args();
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("train-count: unexpected argument '" + a.positional()[0] + "'");
  CountRun run = read_train_count_flags(a);
  const NetSpec spec = count_spec_from(a);

  // Data first: every input error surfaces before any time is spent.
  const RankNetPtr teacher = teacher_net(a);
  const CountTrainData data = load_train_count_data(a, run);

  // Batch sizes must split evenly over the ranks; say so before waiting for them.
  const int world = Distributed::world_size_from_environment();
  rank_slice(run.o.batch, 0, world, "--batch");
  rank_slice(run.o.rank ? run.o.rank_sets : 0, 0, world, "--rank-sets");
  auto dist = Distributed::from_environment();
  const bool main_rank = !dist || dist->is_main();

  torch::manual_seed(run.o.seed);
  ModelBundle bundle = starting_bundle(a, run, spec, main_rank);
  install_stop_handler();
  if (main_rank) {
    std::cerr << "train-count: " << data.labelled.size() << " labelled, " << data.validation.size()
              << " validation, " << data.unlabelled.size() << " unlabelled images; width " << bundle.meta.spec.width
              << (bundle.meta.spec.batch_norm ? " bn" : "") << "; " << run.o.iterations << " iterations"
              << (dist ? "; rank 0 of " + std::to_string(dist->world_size()) : "") << "\n";
  }
  check_teacher(a, teacher, bundle);
  const auto result = train_count(bundle, data, run.o, teacher, dist.get());

  nlohmann::json summary = summary_of(result);
  if (!main_rank) return result.interrupted ? 130 : 0;
  const std::string& ckpt = run.o.checkpoint_path;
  if (result.interrupted) {
    std::cerr << "interrupted at iteration " << result.iterations_done << "; checkpoint " << ckpt
              << " (continue with --resume " << ckpt << ")\n";
    summary["checkpoint"] = ckpt;
    std::cout << summary.dump() << std::endl;
    return 130;
  }
  save_count_model(bundle, run.out, command_line("train-count", argc, argv), result, data, dist.get());
  summary["out"] = run.out;
  std::cerr << "wrote " << run.out << "\n";
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
