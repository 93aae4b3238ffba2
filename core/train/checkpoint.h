#pragma once
// Training checkpoints. A checkpoint is an ordinary model bundle (so `info`,
// `eval-count` and the elements can use it as it is) whose provenance holds
// "training_state" (iteration, RNG state, options, ...), plus a sidecar
// "<path>.optim" with the optimiser state. Both are written atomically
// (temporary file, rename); the sidecar first, so a bundle on disk never
// points at an older optimiser state than its own.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <random>
#include <string>

#include "bundle/bundle.h"

namespace rv {

void save_checkpoint(const std::string& path, ModelBundle bundle, torch::optim::Optimizer& optimiser,
                     const nlohmann::json& training_state);

struct LoadedCheckpoint {
  ModelBundle bundle;              // network in train mode on the CPU
  nlohmann::json training_state;  // as saved
  bool has_optimiser = false;      // false when the sidecar is missing
};

// Throws rv::InputError naming the path when it is not a checkpoint.
LoadedCheckpoint load_checkpoint(const std::string& path);

// Restores the optimiser state from "<path>.optim" (after the optimiser was
// made for the loaded network's parameters). Returns false when there is none.
bool load_optimiser_state(const std::string& path, torch::optim::Optimizer& optimiser);

// Writes a file atomically with `write(tmp_path)`, then renames it to path.
void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write);

// std::mt19937 state as text and back (for checkpoints).
std::string rng_state(const std::mt19937& rng);
void restore_rng_state(std::mt19937& rng, const std::string& state);

}  // namespace rv
