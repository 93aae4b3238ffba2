#pragma once
// CrowdCounter: frame in, density map and count out (CPU or CUDA, fp32 or
// fp16, large frames in tiles, the model's ROI applied), plus counting inside
// a polygon of the frame. The model can be swapped from another thread while
// inference runs: a call that is under way finishes with the model it started with.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bundle/bundle.h"
#include "common/polygon.h"
#include "engine/engine_options.h"
#include "engine/image_view.h"
#include "engine/model_slot.h"

namespace rv {

struct CountResult {
  double count = 0;        // people in the frame (inside the model's ROI, if it has one)
  torch::Tensor density;   // CPU float [h, w], people per cell; sum == count
  double cell_width = 16;  // frame pixels covered by one density cell, x
  double cell_height = 16; // likewise y
  double inference_ms = 0;
};

// Sum of the density cells whose centres lie inside the polygon.
double count_in_polygon(const CountResult& result, const Polygon& polygon);

class CrowdCounter : public EngineBase {
 public:
  CrowdCounter(ModelBundle bundle, EngineOptions options = {})
      : EngineBase(std::move(bundle), std::move(options), Task::Count, "CrowdCounter") {}
  // Loads the file (rv::InputError on a bad or wrong-task file).
  static std::unique_ptr<CrowdCounter> from_file(const std::string& path, EngineOptions options = {});

  // A CPU engine runs the frame on the process's inference thread (engine/torch_thread.h).
  CountResult count(const ImageView& frame);

 private:
  CountResult count_here(const ImageView& frame);
};

}  // namespace rv
