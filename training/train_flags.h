#pragma once
// Flags every training subcommand shares (optimiser, schedule, seed, device,
// threads, logging, checkpoints), so train-count, adapt and train-iqa spell
// them the same way.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "args.h"
#include "train/optimiser.h"

namespace rv::cli {

// --optimiser --lr --momentum --weight-decay --lr-step --lr-gamma --warmup --clip
std::vector<FlagSpec> optimiser_flags(const std::string& default_kind = "adam", const std::string& default_lr = "1e-4");
OptimiserOptions optimiser_from(const Args& args, const std::string& default_kind = "adam", double default_lr = 1e-4);

// --seed --device --threads --log --log-every --checkpoint-every --checkpoint --resume --quiet
std::vector<FlagSpec> run_flags();
uint32_t seed_from(const Args& args);
// --threads N, spelt alike by every command that runs a network: 1..1024 threads, 0 or absent one per
// core (engine/cpu_threads.h). apply_threads reads it and sets LibTorch's intra-op thread count.
FlagSpec threads_flag();
void apply_threads(const Args& args);

// --freeze-trunk N, spelt alike by train-count, train-iqa, adapt and active-sim: the flag's help line
// (`note` appended), its value (0..1000; more than a trunk has fixes the whole trunk), and applying it:
// keeps the first `layers` trunk convolutions of net fixed and, when it fixed any and `say` is given,
// writes "froze the first N trunk layers" there. Returns how many it fixed.
FlagSpec freeze_trunk_flag(const std::string& note = "");
int freeze_trunk_from(const Args& args);
int freeze_trunk(torch::nn::Module& net, int layers, std::ostream* say);

std::vector<FlagSpec> operator+(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b);

// The command line as one string, and the current UTC time in ISO 8601 (for provenance).
std::string command_line(const std::string& command, int argc, char** argv);
std::string iso_date_now();

// Throws rv::InputError when path's folder does not exist (before any work is done).
void check_output_path(const std::string& path, const std::string& flag);

}  // namespace rv::cli
