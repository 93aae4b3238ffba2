#pragma once
// Flags every training subcommand shares (optimiser, schedule, seed, device,
// threads, logging, checkpoints), so train-count, adapt and train-iqa spell
// them the same way.
#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "train/optimiser.h"

namespace rv::cli {

// --optimiser --lr --momentum --weight-decay --lr-step --lr-gamma --warmup --clip
std::vector<FlagSpec> optimiser_flags(const std::string& default_kind = "adam", const std::string& default_lr = "1e-4");
OptimiserOptions optimiser_from(const Args& args, const std::string& default_kind = "adam", double default_lr = 1e-4);

// --seed --device --threads --log --log-every --checkpoint-every --checkpoint --resume --quiet
std::vector<FlagSpec> run_flags();
uint32_t seed_from(const Args& args);
// Applies --threads (torch::set_num_threads) when given.
void apply_threads(const Args& args);

std::vector<FlagSpec> operator+(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b);

// The command line as one string, and the current UTC time in ISO 8601 (for provenance).
std::string command_line(const std::string& command, int argc, char** argv);
std::string iso_date_now();

// Throws rv::InputError when path's folder does not exist (before any work is done).
void check_output_path(const std::string& path, const std::string& flag);

}  // namespace rv::cli
