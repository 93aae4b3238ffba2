#pragma once
// Device names of the engines ("cpu", "cuda", "cuda:N") to torch devices, and
// the checks of EngineOptions an engine runs once when it is built.
#include <torch/torch.h>

#include <string>

#include "engine/engine_options.h"

namespace rv {

// Parses "cpu", "cuda", "cuda:N"; throws rv::Error naming the value and why
// (unknown, or CUDA not available in this build / on this machine).
torch::Device parse_device(const std::string& name);

// The device of `options`, after checking every option (rv::Error naming the
// bad one: fp16 without CUDA, negative threads or sizes, a bad tile size or
// crop count). Sets LibTorch's thread count (engine/cpu_threads.h: num_threads,
// or one per core when 0), and on the CPU keeps freed memory in the process
// (engine/malloc_tuning.h).
torch::Device checked_device(const EngineOptions& options);

}  // namespace rv
