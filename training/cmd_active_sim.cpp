// rankvision active-sim: the simulation of Fig. 7. A labelled counting set is
// split into a test part and a pool; both strategies start from the same
// random 10% of the pool and add 10% per cycle — one picks the images whose
// ranking certainty C (Eq. 15) is lowest under the model of the previous
// cycle, the other picks at random. Each cycle trains a fresh small model on
// the labelled part (same seed for both strategies, so only the data differ)
// and reports MAE / MSE on the test part. Writes PREFIX.csv and PREFIX.png.
//
// Training is the counting trainer of train-count (core/train/count_trainer,
// density regression on multi-scale patches, Eq. 17, without the ranking
// term): the simulation compares selection strategies, not training recipes.
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <tuple>

#include "active/image_certainty.h"
#include "active/selection.h"
#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "data/labelled_set.h"
#include "engine/engines.h"
#include "iqa_cli_util.h"
#include "metrics/metrics.h"
#include "train/count_trainer.h"
#include "count_sources.h"
#include "plot.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

struct SimConfig {
  NetSpec spec;
  std::string init;      // pretrained start of every cycle's network ("" = fresh)
  int freeze_trunk = 0;  // first trunk layers kept fixed
  CountTrainOptions train;
  ImageCertaintyOptions certainty;
  uint32_t seed = 1;
};

std::vector<LabelledImage> load_set(const Args& args, double scale, const DensityTargetOptions& density) {
  if (args.has("shanghaitech")) {
    require_dir("--shanghaitech", args.str("shanghaitech"));
    return load_shanghaitech_set(args.str("shanghaitech"), scale, density);
  }
  require_file("--points", args.str("points"));
  require_dir("--images", args.str("images"));
  return load_points_set(args.str("points"), args.str("images"), scale, density);
}

std::vector<LabelledImage> subset(const std::vector<LabelledImage>& data, const std::vector<size_t>& index) {
  std::vector<LabelledImage> out;
  out.reserve(index.size());
  for (size_t i : index) out.push_back(data[i]);  // cv::Mat copies share pixels
  return out;
}

// A fresh network (same seed for every cycle and strategy) trained on the labelled images; the
// trainer validates on `test` at the end.
std::pair<RankNetPtr, CountMetrics> train_and_test(const std::vector<LabelledImage>& data,
                                                   const std::vector<size_t>& labelled,
                                                   const std::vector<size_t>& test, const SimConfig& c) {
  torch::manual_seed(c.seed);
  ModelBundle bundle = initial_count_bundle(c.init, c.spec);
  freeze_trunk(*bundle.net, c.freeze_trunk, nullptr);
  CountTrainData d;
  d.labelled = subset(data, labelled);
  d.validation = subset(data, test);
  const auto result = train_count(bundle, d, c.train);
  if (result.interrupted) throw Error("active-sim: interrupted");
  bundle.net->eval();
  const auto& v = result.last_validation;
  return {bundle.net, CountMetrics{v.at("mae").get<double>(), v.at("mse").get<double>()}};
}

// The plot of Fig. 7: MAE against the labelled fraction, one line per strategy.
cv::Mat draw_fig7(const std::vector<double>& x, const std::vector<double>& a, const std::vector<double>& b,
                  const std::string& title) {
  PlotSpec spec;
  spec.title = title;
  spec.x_label = "labelled fraction of the pool";
  spec.y_label = "MAE";
  spec.x_ticks = x;
  spec.x_percent = true;
  spec.series = {{"certainty (Eq. 15)", x, a, cv::Scalar(40, 40, 220)}, {"random", x, b, cv::Scalar(200, 110, 30)}};
  return draw_plot(spec);
}

Args active_sim_args() {
  Args args("active-sim",
            "Simulate active learning (Fig. 7): from 10% of a labelled pool, add 10% per cycle chosen by\n"
            "lowest ranking certainty or at random; MAE on held-out images per cycle. Writes PREFIX.csv\n"
            "and PREFIX.png. Last stdout line: JSON.",
            {
                {"shanghaitech", "DIR", "labelled set with images/ and ground-truth/", ""},
                {"points", "FILE", "labelled set: point annotations (JSON/CSV) for --images", ""},
                {"images", "DIR", "folder of the images named in --points", ""},
                {"test", "N", "images held out for the MAE (seeded)", "20% of the set"},
                {"start", "X", "labelled fraction of the pool at the start", "0.1"},
                {"step", "X", "fraction added per cycle", "0.1"},
                {"cycles", "N", "training cycles (the first on the start fraction)", "5"},
                {"iterations", "N", "training iterations per cycle", "300"},
                {"batch", "N", "patches per batch", "8"},
                {"patch", "N", "side of the training patches (multiple of 16)", "224"},
                {"patch-min", "N", "smallest patch cut", "56"},
                {"patch-max", "N", "largest patch cut", "448"},
                {"sigma", "X", "density map Gaussian sigma (pixels, after --scale)", "15"},
                {"scale", "X", "resize every image by this factor first", "1"},
                {"arch", "NAME", "network: vgg16 | posenet_mnv1 | centernet_mnv3 (needs --init)", "vgg16"},
                {"init", "FILE", "every cycle starts from this (posenet_mnv1 / centernet_mnv3: the TF.js model.json; or a bundle)", ""},
                freeze_trunk_flag(),
                {"trunk-lr-mult", "X", "lr factor of the pretrained trunk", "1"},
                {"background", "X", "fraction of patches redrawn until they hold nobody", "0"},
                {"width", "X", "network width multiplier (default 0.25 for vgg16, 0.75 for posenet_mnv1)", ""},
                {"batch-norm", "", "batch normalisation in the trunk", ""},
                {"lr", "X", "learning rate (Adam)", "1e-4"},
                {"lr-step", "N", "multiply the learning rate by 0.1 every N iterations of a cycle (0: never)", "0"},
                {"warmup", "N", "linear lr warm-up iterations of each cycle", "0"},
                {"lr-schedule", "step|cosine", "after warm-up: steps (--lr-step) or cosine decay over the cycle", "step"},
                {"pairs", "K", "ranked pairs per image for C (the paper: 100)", "100"},
                {"crop", "N", "network input size of a nested crop", "224"},
                {"seed", "N", "random seed", "1"},
                {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
                threads_flag(),
                {"out", "PREFIX", "writes PREFIX.csv and PREFIX.png", ""},
            });
  return args;
}

// What the flags ask for: the cycles, the density targets and every cycle's training.
struct SimPlan {
  std::string prefix;
  double start = 0.1, step = 0.1;
  int cycles = 5;
  double sigma = 15.0, scale = 1.0;
  SimConfig c;
};

// Reads and checks every flag (but --test, which depends on the set's size); applies --threads.
SimPlan read_active_sim_flags(const Args& args) {
  if (args.has("shanghaitech") == args.has("points"))
    throw InputError("give exactly one labelled set: --shanghaitech DIR or --points FILE --images DIR");
  if (args.has("points") != args.has("images")) throw InputError("--points and --images go together");
  SimPlan plan;
  plan.prefix = args.required("out");
  check_output_file("--out", plan.prefix + ".csv");
  plan.start = args.real("start", 0.1, 1e-6, 1.0);
  plan.step = args.real("step", 0.1, 1e-6, 1.0);
  plan.cycles = static_cast<int>(args.integer("cycles", 5, 1, 1000));
  SimConfig& c = plan.c;
  CountTrainOptions& t = c.train;
  t.rank = false;
  t.iterations = args.integer("iterations", 300, 1, 100000000);
  t.batch = static_cast<int>(args.integer("batch", 8, 1, 4096));
  t.input_size = static_cast<int>(args.integer("patch", 224, 16, 4096));
  if (t.input_size % 16) throw InputError("--patch " + std::to_string(t.input_size) + ": must be a multiple of 16");
  t.patch_min = static_cast<int>(args.integer("patch-min", 56, 1, 100000));
  t.patch_max = static_cast<int>(args.integer("patch-max", 448, 1, 100000));
  if (t.patch_max < t.patch_min) throw InputError("--patch-max must be >= --patch-min");
  plan.sigma = args.real("sigma", 15.0, 0.1, 1000.0);
  plan.scale = args.real("scale", 1.0, 0.01, 10.0);
  c.spec = count_spec_from(args);
  c.init = args.str("init");
  if (!c.init.empty()) require_file("--init", c.init);
  c.freeze_trunk = freeze_trunk_from(args);
  t.background = args.real("background", 0.0, 0.0, 1.0);
  t.optimiser.lr = args.real("lr", 1e-4, 1e-12, 10.0);
  t.optimiser.trunk_lr_mult = args.real("trunk-lr-mult", 1.0, 1e-6, 1e3);
  t.optimiser.lr_step = args.integer("lr-step", 0, 0, 100000000);
  t.optimiser.warmup = args.integer("warmup", 0, 0, 100000000);
  t.optimiser.schedule = args.str("lr-schedule", "step");
  validate(t.optimiser);
  c.certainty.pairs = args.integer("pairs", 100, 1, 1000000);
  c.certainty.crops.out_size = static_cast<int>(args.integer("crop", 224, 16, 4096));
  c.seed = static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L));
  t.device = args.str("device", "cpu");
  parse_device(t.device);  // a bad --device fails here, before the images are loaded
  t.seed = c.seed;
  apply_threads(args);
  return plan;
}

// The --test images (seeded) and the pool the strategies label from, as indices into the set.
struct SimSplit {
  std::vector<size_t> test, pool;
};

SimSplit split_test_pool(const Args& args, size_t size, uint32_t seed) {
  const long n = static_cast<long>(size);
  const long n_test = args.integer("test", std::max<long>(1, n / 5), 1, 100000000);
  if (n_test + 2 > n)
    throw InputError("labelled set has " + std::to_string(n) + " images: too few for --test " + std::to_string(n_test) +
                     " plus a pool of at least 2");
  std::vector<size_t> order(size);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 split_rng(seed ^ 0xac71e);
  std::shuffle(order.begin(), order.end(), split_rng);
  SimSplit split;
  split.test.assign(order.begin(), order.begin() + n_test);
  split.pool.assign(order.begin() + n_test, order.end());
  return split;
}

// How many pool images are labelled in a cycle: --start, plus --step per cycle.
size_t target_size(const SimPlan& plan, size_t pool, int cycle) {
  const double f = std::min(1.0, plan.start + plan.step * cycle);
  return std::max<size_t>(1, std::min(pool, static_cast<size_t>(std::llround(f * pool))));
}

struct Strategy {
  std::string name;
  std::vector<size_t> labelled;
  std::vector<CountMetrics> metrics;
};

// Grows s's labelled set to `target` images for the next cycle: at random, or the least certain under
// `net` (the model the certainty strategy trained this cycle).
void grow_labelled(Strategy& s, size_t target, const std::vector<size_t>& pool, const std::vector<LabelledImage>& data,
                   const RankNetPtr& net, const SimConfig& c, std::mt19937& random_pick) {
  std::vector<size_t> unlabelled;
  for (size_t i : pool)
    if (std::find(s.labelled.begin(), s.labelled.end(), i) == s.labelled.end()) unlabelled.push_back(i);
  const size_t want = target - std::min(target, s.labelled.size());
  if (want == 0 || unlabelled.empty()) return;
  if (s.name == "random") {
    std::shuffle(unlabelled.begin(), unlabelled.end(), random_pick);
    s.labelled.insert(s.labelled.end(), unlabelled.begin(), unlabelled.begin() + std::min(want, unlabelled.size()));
  } else {
    std::vector<double> certainty;
    for (size_t i : unlabelled)
      certainty.push_back(certainty_of_image(*net, data[i].image, c.certainty, c.seed + static_cast<uint32_t>(i)));
    for (size_t k : least_certain(certainty, want)) s.labelled.push_back(unlabelled[k]);
  }
}

// Per cycle: the labelled fraction and count (the same for both strategies), and each strategy's metrics.
struct SimHistory {
  std::vector<double> fractions;
  std::vector<size_t> sizes;
  std::vector<Strategy> strategies;
};

SimHistory run_cycles(const std::vector<LabelledImage>& data, const SimSplit& split, const SimPlan& plan) {
  const SimConfig& c = plan.c;
  const std::vector<size_t>& pool = split.pool;
  SimHistory h;
  // Both strategies start from the same random subset of the pool.
  std::vector<size_t> initial(pool.begin(), pool.begin() + static_cast<long>(target_size(plan, pool.size(), 0)));
  h.strategies = {{"certainty", initial, {}}, {"random", initial, {}}};
  std::vector<Strategy>& strategies = h.strategies;
  std::mt19937 random_pick(c.seed + 99);
  for (int cycle = 0; cycle < plan.cycles; ++cycle) {
    h.fractions.push_back(static_cast<double>(strategies[0].labelled.size()) / pool.size());
    h.sizes.push_back(strategies[0].labelled.size());
    RankNetPtr net;
    CountMetrics metrics;
    std::vector<size_t> first_trained_on;  // what strategies[0] trained on this cycle
    for (auto& s : strategies) {
      // Same labelled set, same seed: the same network (the first cycle of every strategy).
      if (&s != &strategies[0] && s.labelled == first_trained_on) {
        s.metrics.push_back(strategies[0].metrics.back());
      } else {
        std::cerr << "cycle " << cycle + 1 << "/" << plan.cycles << " " << s.name << ": training on "
                  << s.labelled.size() << " images\n";
        std::tie(net, metrics) = train_and_test(data, s.labelled, split.test, c);
        s.metrics.push_back(metrics);
        if (&s == &strategies[0]) first_trained_on = s.labelled;
      }
      std::cout << "cycle " << cycle + 1 << " " << std::left << std::setw(9) << s.name << std::right << " labelled "
                << s.labelled.size() << " (" << std::fixed << std::setprecision(0) << 100.0 * h.fractions.back()
                << "%)  MAE " << std::setprecision(2) << s.metrics.back().mae << "  MSE " << s.metrics.back().mse
                << "\n";
      if (cycle + 1 == plan.cycles) continue;
      grow_labelled(s, target_size(plan, pool.size(), cycle + 1), pool, data, net, c, random_pick);
    }
  }
  return h;
}

// PREFIX.csv and PREFIX.png, and the JSON line.
void write_results(const SimPlan& plan, long n, const SimSplit& split, const SimHistory& h) {
  const std::string& prefix = plan.prefix;
  const Strategy &certainty = h.strategies[0], &random = h.strategies[1];
  std::ostringstream csv;
  csv << "cycle,fraction,labelled,mae_certainty,mse_certainty,mae_random,mse_random\n";
  std::vector<double> mae_c, mae_r;
  for (int i = 0; i < plan.cycles; ++i) {
    csv << i + 1 << "," << h.fractions[i] << "," << h.sizes[i] << "," << certainty.metrics[i].mae << ","
        << certainty.metrics[i].mse << "," << random.metrics[i].mae << "," << random.metrics[i].mse << "\n";
    mae_c.push_back(certainty.metrics[i].mae);
    mae_r.push_back(random.metrics[i].mae);
  }
  write_plot_png(prefix + ".png", draw_fig7(h.fractions, mae_c, mae_r, "Active learning: certainty vs random"));
  write_text_atomic(prefix + ".csv", csv.str());
  std::cout << "wrote " << prefix << ".csv and " << prefix << ".png\n";
  nlohmann::json cycles_j = nlohmann::json::array();
  for (int i = 0; i < plan.cycles; ++i)
    cycles_j.push_back({{"fraction", h.fractions[i]}, {"labelled", h.sizes[i]}, {"mae_certainty", mae_c[i]},
                        {"mae_random", mae_r[i]}, {"mse_certainty", certainty.metrics[i].mse},
                        {"mse_random", random.metrics[i].mse}});
  std::cout << nlohmann::json({{"n", n}, {"test", split.test.size()}, {"pool", split.pool.size()}, {"cycles", cycles_j},
                               {"csv", prefix + ".csv"}, {"png", prefix + ".png"}})
                   .dump()
            << "\n";
}

}  // namespace

int cmd_active_sim(int argc, char** argv) {
  Args args = active_sim_args();
  if (!args.parse(argc, argv)) return 0;
  const SimPlan plan = read_active_sim_flags(args);

  // --sigma is in pixels after --scale; the loader scales an original-pixel sigma with the image.
  const auto data = load_set(args, plan.scale, DensityTargetOptions{false, plan.sigma / plan.scale});
  const long n = static_cast<long>(data.size());
  const SimSplit split = split_test_pool(args, data.size(), plan.c.seed);
  std::cout << "active-sim: " << n << " images (" << split.pool.size() << " pool, " << split.test.size() << " test), "
            << plan.cycles << " cycles of " << plan.c.train.iterations << " iterations, width " << plan.c.spec.width
            << "\n";

  const SimHistory history = run_cycles(data, split, plan);
  write_results(plan, n, split, history);
  return 0;
}

}  // namespace rv::cli
