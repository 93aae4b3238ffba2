#pragma once
// Settings of the inference engines (CrowdCounter, QualityScorer): device,
// precision, threads, input size limits. Torch-free, so the GStreamer element
// code can hold and fill them without including LibTorch.
#include <string>

namespace rv {

struct EngineOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"; rv::Error when CUDA is absent
  bool fp16 = false;           // CUDA only; rv::Error on CPU
  int num_threads = 0;         // LibTorch intra-op threads (process-wide); 0 = one per core (engine/cpu_threads.h)
  int max_input_size = 0;      // downscale so the long side is at most this; 0 = no limit
  int tile_size = 2048;        // counting: larger inputs run in tiles of this size (multiple of 16)
  int quality_crops = 5;       // quality: number of crops averaged (the model's crop size; grid, deterministic)
};

}  // namespace rv
