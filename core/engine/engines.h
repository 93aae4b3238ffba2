#pragma once
// Inference engines: frame in, density map / score out. Used by the GStreamer
// elements and the CLI. CPU or CUDA, fp32 or fp16 (CUDA). The model can be
// swapped from another thread while inference runs: a call that is under way
// finishes with the model it started with.
#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bundle/bundle.h"
#include "engine/image_view.h"

namespace rv {

struct EngineOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"; rv::Error when CUDA is absent
  bool fp16 = false;           // CUDA only; rv::Error on CPU
  int num_threads = 0;         // LibTorch intra-op threads (process-wide); 0 = leave as is
  int max_input_size = 0;      // downscale so the long side is at most this; 0 = no limit
  int tile_size = 2048;        // counting: larger inputs run in tiles of this size (multiple of 16)
  int quality_crops = 5;       // quality: number of 224×224 crops averaged (grid, deterministic)
};

// Parses "cpu", "cuda", "cuda:N"; throws rv::Error naming the value and why
// (unknown, or CUDA not available in this build / on this machine).
torch::Device parse_device(const std::string& name);

// Packed frame → float RGB [1,3,H',W'] in 0..1 on `device`, resized by `scale` (1 = as is).
torch::Tensor frame_to_tensor(const ImageView& frame, double scale, const torch::Device& device);

struct CountResult {
  double count = 0;        // people in the frame (inside the model's ROI, if it has one)
  torch::Tensor density;   // CPU float [h, w], people per cell; sum == count
  double cell_width = 16;  // frame pixels covered by one density cell, x
  double cell_height = 16; // likewise y
  double inference_ms = 0;
};

// A polygon in frame pixels.
using Polygon = std::vector<std::pair<double, double>>;

// Sum of the density cells whose centres lie inside the polygon.
double count_in_polygon(const CountResult& result, const Polygon& polygon);

// The model an engine runs. set() checks the task and moves the network to the
// engine's device; get() hands out a shared reference, so a call under way
// keeps the model it started with while another thread swaps in a new one.
class ModelSlot {
 public:
  ModelSlot(Task task, const char* engine) : task_(task), engine_(engine) {}
  void set(ModelBundle bundle, const torch::Device& device, bool fp16);
  std::shared_ptr<const ModelBundle> get() const;

 private:
  Task task_;
  const char* engine_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ModelBundle> bundle_;
};

class CrowdCounter {
 public:
  CrowdCounter(ModelBundle bundle, EngineOptions options = {});
  // Loads the file (rv::InputError on a bad or wrong-task file).
  static std::unique_ptr<CrowdCounter> from_file(const std::string& path, EngineOptions options = {});

  CountResult count(const ImageView& frame);
  // Replaces the model; safe while another thread is inside count().
  void set_model(ModelBundle bundle);
  BundleMeta meta() const;
  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
  torch::Device device_;
  ModelSlot model_;
};

struct QualityResult {
  double score = 0;  // 0–100, higher is better (the bundle's calibration)
  double raw = 0;    // the network's mean raw output over the crops
  double inference_ms = 0;
};

class QualityScorer {
 public:
  QualityScorer(ModelBundle bundle, EngineOptions options = {});
  static std::unique_ptr<QualityScorer> from_file(const std::string& path, EngineOptions options = {});

  QualityResult score(const ImageView& frame);
  void set_model(ModelBundle bundle);
  BundleMeta meta() const;
  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
  torch::Device device_;
  ModelSlot model_;
};

}  // namespace rv
