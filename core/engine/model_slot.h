#pragma once
// ModelSlot: the model an engine runs, swappable from another thread while
// inference is under way; EngineBase: what CrowdCounter and QualityScorer share.
#include <chrono>
#include <memory>
#include <mutex>

#include <torch/torch.h>

#include "bundle/bundle.h"
#include "engine/engine_options.h"

namespace rv {

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

// Options, device and the swappable model of an engine.
class EngineBase {
 public:
  // Replaces the model; safe while another thread runs inference.
  void set_model(ModelBundle bundle);
  BundleMeta meta() const { return model_.get()->meta; }
  const EngineOptions& options() const { return options_; }

 protected:
  // rv::Error for a bad device; rv::InputError for a model of the other task.
  EngineBase(ModelBundle bundle, EngineOptions options, Task task, const char* name);

  EngineOptions options_;
  torch::Device device_;
  ModelSlot model_;
};

inline double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace rv
