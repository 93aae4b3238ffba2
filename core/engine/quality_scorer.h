#pragma once
// QualityScorer: frame in, no-reference quality score out (mean over a fixed
// grid of square crops of the model's training size, 224 unless the bundle's
// score.crop says otherwise, mapped to 0–100 by the bundle's calibration). The
// model can be swapped from another thread while inference runs.
#include <torch/torch.h>

#include <memory>
#include <string>

#include "bundle/bundle.h"
#include "engine/engine_options.h"
#include "engine/image_view.h"
#include "engine/model_slot.h"

namespace rv {

struct QualityResult {
  double score = 0;  // 0–100, higher is better (the bundle's calibration)
  double raw = 0;    // the network's mean raw output over the crops
  double inference_ms = 0;
};

class QualityScorer : public EngineBase {
 public:
  QualityScorer(ModelBundle bundle, EngineOptions options = {})
      : EngineBase(std::move(bundle), std::move(options), Task::Quality, "QualityScorer") {}
  // Loads the file (rv::InputError on a bad or wrong-task file).
  static std::unique_ptr<QualityScorer> from_file(const std::string& path, EngineOptions options = {});

  // A CPU engine runs the frame on the process's inference thread (engine/torch_thread.h).
  QualityResult score(const ImageView& frame);

 private:
  QualityResult score_here(const ImageView& frame);
};

}  // namespace rv
