#pragma once
// ModelSlot: the model an engine runs, swappable from another thread while
// inference is under way.
#include <memory>
#include <mutex>

#include <torch/torch.h>

#include "bundle/bundle.h"

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

}  // namespace rv
