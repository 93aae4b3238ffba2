#include "train_flags.h"

#include <torch/torch.h>

#include <ctime>
#include <filesystem>

#include "common/error.h"
#include "engine/cpu_threads.h"
#include "model/mobilenet.h"

namespace rv::cli {

std::vector<FlagSpec> operator+(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<FlagSpec> optimiser_flags(const std::string& default_kind, const std::string& default_lr) {
  return {
      {"optimiser", "adam|sgd", "optimiser (the paper: sgd with momentum 0.9)", default_kind},
      {"lr", "X", "learning rate", default_lr},
      {"momentum", "X", "SGD momentum", "0.9"},
      {"weight-decay", "X", "weight decay", "5e-4"},
      {"lr-step", "N", "multiply the lr by --lr-gamma every N iterations (0 = constant)", "0"},
      {"lr-gamma", "X", "lr step factor", "0.1"},
      {"warmup", "N", "linear lr warm-up iterations", "0"},
      {"lr-schedule", "step|cosine", "after warm-up: steps (--lr-step) or cosine decay to lr x --lr-floor", "step"},
      {"lr-floor", "X", "final lr fraction of the cosine schedule", "0.01"},
      {"trunk-lr-mult", "X", "lr factor for the pretrained trunk (e.g. 0.1)", "1"},
      {"clip", "X", "clip the gradient norm at X (0 = off)", "0"},
  };
}

OptimiserOptions optimiser_from(const Args& a, const std::string& default_kind, double default_lr) {
  OptimiserOptions o;
  o.kind = a.str("optimiser", default_kind);
  o.lr = a.real("lr", default_lr, 1e-12, 10.0);
  o.momentum = a.real("momentum", 0.9, 0.0, 0.999999);
  o.weight_decay = a.real("weight-decay", 5e-4, 0.0, 1.0);
  o.lr_step = a.integer("lr-step", 0, 0, 1L << 40);
  o.lr_gamma = a.real("lr-gamma", 0.1, 1e-9, 1.0);
  o.warmup = a.integer("warmup", 0, 0, 1L << 40);
  o.schedule = a.str("lr-schedule", "step");
  o.cosine_floor = a.real("lr-floor", 0.01, 0.0, 1.0);
  o.trunk_lr_mult = a.real("trunk-lr-mult", 1.0, 1e-6, 1e3);
  validate(o);
  return o;
}

FlagSpec freeze_trunk_flag(const std::string& note) {
  return {"freeze-trunk", "N", "keep the first N conv layers of the trunk fixed" + note, "0"};
}

int freeze_trunk_from(const Args& a) { return static_cast<int>(a.integer("freeze-trunk", 0, 0, 1000)); }

int freeze_trunk(torch::nn::Module& net, int layers, std::ostream* say) {
  const int n = layers > 0 ? freeze_trunk_layers(net, layers) : 0;
  if (n > 0 && say) *say << "froze the first " << n << " trunk layers\n";
  return n;
}

std::vector<FlagSpec> run_flags() {
  return {
      {"seed", "N", "random seed (same seed, data and machine: same result)", "1"},
      {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
      threads_flag(),
      {"log", "FILE", "JSONL log of losses and validation metrics"},
      {"log-every", "N", "iterations per log line", "10"},
      {"checkpoint-every", "N", "write a checkpoint every N iterations (and on Ctrl-C)", "0"},
      {"checkpoint", "FILE", "checkpoint file", "OUT.ckpt"},
      {"resume", "FILE", "continue from a checkpoint (same data flags)"},
      {"quiet", "", "no progress display"},
  };
}

uint32_t seed_from(const Args& a) { return static_cast<uint32_t>(a.integer("seed", 1, 0, 4294967295L)); }

FlagSpec threads_flag() { return {"threads", "N", "LibTorch threads (0: one per core)", "0"}; }

void apply_threads(const Args& a) { set_intra_op_threads(static_cast<int>(a.integer("threads", 0, 0, 1024))); }

std::string command_line(const std::string& command, int argc, char** argv) {
  std::string s = "rankvision " + command;
  for (int i = 0; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

std::string iso_date_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void check_output_path(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  if (path.empty()) throw InputError(flag + ": empty path");
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw InputError(flag + " " + path + ": folder " + dir.string() + " does not exist");
  if (fs::is_directory(p)) throw InputError(flag + " " + path + ": is a directory");
}

}  // namespace rv::cli
