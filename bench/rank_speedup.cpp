// rank_speedup: how much faster one training step with the all-pairs ranking
// loss (§3.3, one forward pass per image) is than the conventional two-branch
// Siamese computation of the same loss over the same pairs, measured in one run.
//
// Setup: S source images × k nested crops (random pixels: only the shapes
// matter for timing), a compact counting network without batch norm (so a
// pair forwarded on its own gives exactly what the batch gives), the mean
// hinge loss over all S·k(k−1)/2 comparable pairs.
//   efficient step: forward the S·k crops once, loss over all pairs, backward.
//   naive step:     for every pair, forward both crops in their own branch;
//                   pairs are stacked into chunks of --chunk pairs (default
//                   S·k, the efficient step's batch size, so both sides run
//                   convolutions of the same batch size and the comparison
//                   measures redundant work, not batching efficiency); each
//                   chunk is backpropagated before the next (a Siamese
//                   trainer's memory profile). Images forwarded: 2 per pair.
// Theoretical speedup: S·k(k−1) / (S·k) = k − 1. Steps are timed interleaved
// after a warm-up; the medians are compared.
//
// Gradient check. "max_rel_grad_diff" (pass: <= 1e-4) compares both
// computations in float64 on the same network at --check-size pixels, so it
// measures whether they compute the same thing, not float32 rounding. At the
// timed settings in float32 the JSON adds the difference relative to the
// largest gradient entry next to the rounding floor of the efficient loss
// alone (same batch, permuted); the per-tensor float32 ratio is dominated by
// the density head's bias, whose exact gradient is 0.
// The last line of output is one JSON object.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/cuda.h>
#include <torch/torch.h>

#include "loss/ranking_loss.h"
#include "loss/siamese_loss.h"
#include "model/network.h"

namespace {

struct Settings {
  double width = 0.25;
  int size = 224;
  int sources = 5;
  int k = 5;
  int iters = 3;
  int warmup = 1;
  int threads = 0;  // 0: LibTorch's default
  int chunk = 0;    // pairs per Siamese branch forward; 0: S·k
  double margin = 0.0;
  int check_size = 64;  // image side of the float64 gradient check
  std::string device = "cpu";
  uint64_t seed = 1;
};

void usage(std::ostream& os) {
  os << "usage: rank_speedup [--width W] [--size PX] [--sources S] [--k K] [--iters N] [--warmup N]\n"
        "                    [--threads T] [--chunk PAIRS] [--margin EPS] [--check-size PX] [--device cpu|cuda[:N]]\n"
        "                    [--seed N]\n";
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      usage(std::cout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + ": missing value");
    const std::string value = argv[++i];
    try {
      size_t used = 0;
      auto as_int = [&] {
        const int v = std::stoi(value, &used);
        if (used != value.size()) throw std::invalid_argument("trailing characters");
        return v;
      };
      auto as_double = [&] {
        const double v = std::stod(value, &used);
        if (used != value.size()) throw std::invalid_argument("trailing characters");
        return v;
      };
      if (flag == "--width") s.width = as_double();
      else if (flag == "--size") s.size = as_int();
      else if (flag == "--sources") s.sources = as_int();
      else if (flag == "--k") s.k = as_int();
      else if (flag == "--iters") s.iters = as_int();
      else if (flag == "--warmup") s.warmup = as_int();
      else if (flag == "--threads") s.threads = as_int();
      else if (flag == "--chunk") s.chunk = as_int();
      else if (flag == "--margin") s.margin = as_double();
      else if (flag == "--check-size") s.check_size = as_int();
      else if (flag == "--device") s.device = value;
      else if (flag == "--seed") s.seed = static_cast<uint64_t>(as_int());
      else throw std::invalid_argument("unknown flag");
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(flag + " '" + value + "': " + e.what());
    } catch (const std::out_of_range&) {
      throw std::invalid_argument(flag + " '" + value + "': out of range");
    }
  }
  if (s.size < 16) throw std::invalid_argument("--size: must be >= 16");
  if (s.check_size < 16) throw std::invalid_argument("--check-size: must be >= 16");
  if (s.sources < 1) throw std::invalid_argument("--sources: must be >= 1");
  if (s.k < 2) throw std::invalid_argument("--k: must be >= 2");
  if (s.iters < 1) throw std::invalid_argument("--iters: must be >= 1");
  if (s.warmup < 0) throw std::invalid_argument("--warmup: must be >= 0");
  if (s.threads < 0) throw std::invalid_argument("--threads: must be >= 0");
  if (s.chunk < 0) throw std::invalid_argument("--chunk: must be >= 0");
  if (s.chunk == 0) s.chunk = s.sources * s.k;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<torch::Tensor> gradients(rv::RankNet& net) {
  std::vector<torch::Tensor> out;
  for (const auto& p : net.parameters()) out.push_back(p.grad().detach().to(torch::kCPU, torch::kDouble).clone());
  return out;
}

// Largest |entry| over all gradient tensors.
double global_scale(const std::vector<torch::Tensor>& g) {
  double scale = 0;
  for (const auto& t : g) scale = std::max(scale, t.abs().max().item<double>());
  return scale;
}

// Per parameter tensor: max |a − b| / max(max |b|, 1e-3 · largest gradient
// entry of the network); the worst tensor. This is the "max_rel_grad_diff" of
// the JSON line and the 1e-4 pass criterion. The floor matters for the density
// head's bias: its gradient is cells · Σ_i (P1)_i = 0 exactly (every active
// pair adds +1 and −1), so what is computed there is rounding noise, and noise
// relative to noise would be meaningless.
double max_relative_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  const double floor = 1e-3 * global_scale(b);
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double scale = std::max(b[i].abs().max().item<double>(), floor);
    const double diff = (a[i] - b[i]).abs().max().item<double>();
    worst = std::max(worst, scale > 0 ? diff / scale : diff);
  }
  return worst;
}

// max |a − b| over all tensors / largest |b| entry of the network: the error
// on the scale of the update, what matters for training.
double max_difference_relative_to_largest(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, (a[i] - b[i]).abs().max().item<double>());
  const double scale = global_scale(b);
  return scale > 0 ? diff / scale : diff;
}

struct GradCheck {
  double max_rel = 0;       // max_relative_difference(efficient, naive)
  double rel_to_largest = 0;  // max_difference_relative_to_largest(efficient, naive)
  double rel_loss = 0;
  double order_noise = 0;     // the same for efficient vs efficient on the permuted batch
};

// Gradients of the efficient loss against the naive Siamese loss on the same
// network and images, plus the rounding floor of the efficient loss alone: the
// same batch in another order only changes float summation order.
GradCheck check_gradients(rv::RankNet& net, const torch::Tensor& images, const torch::Tensor& group,
                          const torch::Tensor& rank, const rv::RankingLossOptions& loss_options,
                          const rv::SiameseOptions& siamese) {
  GradCheck c;
  net.zero_grad(/*set_to_none=*/true);  // fresh grads in the parameters' dtype
  const auto loss = rv::ranking_hinge_loss(net.scalar(images), group, rank, loss_options);
  loss.backward();
  const auto g_efficient = gradients(net);

  net.zero_grad(/*set_to_none=*/true);  // fresh grads in the parameters' dtype
  const double naive_loss = rv::siamese_ranking_backward(net, images, group, rank, loss_options, siamese);
  const auto g_naive = gradients(net);

  const auto perm = torch::randperm(images.size(0), torch::TensorOptions().dtype(torch::kLong)).to(images.device());
  net.zero_grad(/*set_to_none=*/true);  // fresh grads in the parameters' dtype
  rv::ranking_hinge_loss(net.scalar(images.index_select(0, perm)), group.index_select(0, perm),
                         rank.index_select(0, perm), loss_options)
      .backward();
  const auto g_permuted = gradients(net);

  c.max_rel = max_relative_difference(g_efficient, g_naive);
  c.rel_to_largest = max_difference_relative_to_largest(g_efficient, g_naive);
  c.rel_loss = std::abs(loss.item<double>() - naive_loss) / std::max(std::abs(naive_loss), 1e-300);
  c.order_noise = max_difference_relative_to_largest(g_permuted, g_efficient);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  try {
    s = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rank_speedup: " << e.what() << "\n";
    usage(std::cerr);
    return 2;
  }
  try {
    if (s.threads > 0) torch::set_num_threads(s.threads);
    const torch::Device device(s.device);
    const bool cuda = device.is_cuda();
    auto sync = [&] {
      if (cuda) torch::cuda::synchronize();
    };
    torch::manual_seed(static_cast<int64_t>(s.seed));

    rv::NetSpec spec;
    spec.task = rv::Task::Count;
    spec.width = s.width;
    spec.batch_norm = false;  // pairs must be independent of what they are batched with
    auto net = rv::build_network(spec);
    net->to(device);
    net->train();

    const int64_t m = static_cast<int64_t>(s.sources) * s.k;
    const auto images = torch::rand({m, 3, s.size, s.size}).to(device);
    std::vector<int64_t> group, rank;
    for (int src = 0; src < s.sources; ++src) {
      for (int i = 0; i < s.k; ++i) {
        group.push_back(src);
        rank.push_back(s.k - 1 - i);  // crop 0 is the largest: highest rank
      }
    }
    const auto group_t = torch::tensor(group, torch::kLong).to(device);
    const auto rank_t = torch::tensor(rank, torch::kLong).to(device);
    const int64_t pairs = static_cast<int64_t>(s.sources) * s.k * (s.k - 1) / 2;

    rv::RankingLossOptions loss_options;
    loss_options.margin = s.margin;
    loss_options.reduction = rv::PairReduction::Mean;
    rv::SiameseOptions siamese;
    siamese.pairs_per_forward = s.chunk;

    auto efficient_step = [&] {
      net->zero_grad();
      const auto y = net->scalar(images);
      rv::ranking_hinge_loss(y, group_t, rank_t, loss_options).backward();
      sync();
    };
    auto naive_step = [&] {
      net->zero_grad();
      rv::siamese_ranking_backward(*net, images, group_t, rank_t, loss_options, siamese);
      sync();
    };
    auto timed = [](const auto& step) {
      const auto t0 = std::chrono::steady_clock::now();
      step();
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };

    std::cout << "rank_speedup: width " << s.width << ", " << s.size << "x" << s.size << ", " << s.sources
              << " sources x " << s.k << " crops = " << m << " images, " << pairs << " pairs, "
              << torch::get_num_threads() << " threads, device " << s.device << "\n";
    std::cout << "  efficient: " << m << " images forwarded per step; naive Siamese: " << 2 * pairs
              << " (chunks of " << s.chunk << " pairs per branch)\n";

    // The float32 gradient check at the timed settings is also the first warm-up round.
    const GradCheck fp32 = check_gradients(*net, images, group_t, rank_t, loss_options, siamese);
    for (int i = 1; i < s.warmup; ++i) {
      efficient_step();
      naive_step();
    }

    std::vector<double> t_eff, t_naive;
    for (int i = 0; i < s.iters; ++i) {  // interleaved, so drifting machine load hits both
      t_eff.push_back(timed(efficient_step));
      t_naive.push_back(timed(naive_step));
      std::cout << "  rep " << i + 1 << ": efficient " << t_eff.back() << " s, naive " << t_naive.back() << " s\n";
    }
    const double eff = median(t_eff), naive = median(t_naive);

    // Equality of the two computations, free of float32 rounding: the same
    // network in float64 on S·k fresh images of --check-size pixels.
    net->to(torch::kDouble);
    const auto check_images =
        torch::rand({m, 3, s.check_size, s.check_size}, torch::TensorOptions().dtype(torch::kDouble)).to(device);
    const GradCheck fp64 = check_gradients(*net, check_images, group_t, rank_t, loss_options, siamese);
    const double grad_diff = fp64.max_rel;
    const double speedup = naive / eff;
    const int theoretical = s.k - 1;
    const bool grads_equal = grad_diff <= 1e-4;
    std::cout << "  median step: efficient " << eff << " s, naive " << naive << " s\n";
    std::cout << "  speedup " << speedup << " (theoretical k-1 = " << theoretical << ", "
              << 100.0 * speedup / theoretical << "% of it)\n";
    std::cout << "  gradients, float64 at " << s.check_size << "x" << s.check_size << ": max relative difference "
              << grad_diff << (grads_equal ? " (equal)" : " (DIFFERENT)") << ", loss " << fp64.rel_loss << "\n";
    std::cout << "  gradients, float32 at " << s.size << "x" << s.size << ": max relative difference " << fp32.max_rel
              << "; relative to the largest gradient entry " << fp32.rel_to_largest
              << " (rounding floor of the efficient loss alone, batch permuted: " << fp32.order_noise << "); loss "
              << fp32.rel_loss << "\n";

    nlohmann::json out = {
        {"benchmark", "rank_speedup"},
        {"speedup", speedup},
        {"theoretical", theoretical},
        {"fraction_of_theoretical", speedup / theoretical},
        {"max_rel_grad_diff", grad_diff},
        {"grad_check_dtype", "float64"},
        {"grad_check_size", s.check_size},
        {"rel_loss_diff", fp64.rel_loss},
        {"fp32_max_rel_grad_diff", fp32.max_rel},
        {"fp32_grad_diff_rel_to_largest", fp32.rel_to_largest},
        {"fp32_rounding_floor_rel_to_largest", fp32.order_noise},
        {"fp32_rel_loss_diff", fp32.rel_loss},
        {"grads_equal", grads_equal},
        {"efficient_step_s", eff},
        {"naive_step_s", naive},
        {"efficient_times_s", t_eff},
        {"naive_times_s", t_naive},
        {"images_forwarded_efficient", m},
        {"images_forwarded_naive", 2 * pairs},
        {"pairs", pairs},
        {"settings",
         {{"width", s.width},
          {"size", s.size},
          {"sources", s.sources},
          {"k", s.k},
          {"iters", s.iters},
          {"warmup", s.warmup},
          {"threads", torch::get_num_threads()},
          {"chunk_pairs", s.chunk},
          {"margin", s.margin},
          {"device", s.device},
          {"batch_norm", false},
          {"reduction", "mean"},
          {"seed", s.seed}}},
    };
    std::cout << out.dump() << std::endl;
    return grads_equal ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "rank_speedup: " << e.what() << "\n";
    return 1;
  }
}
