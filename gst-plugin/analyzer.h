#pragma once
// The element-facing side of a core engine: frame in, FrameResult out. One
// implementation per task wraps rv::CrowdCounter / rv::QualityScorer so the
// shared element code (gstrvfilter.cpp) never sees LibTorch.
#include <memory>
#include <string>

#include "engine/engines.h"
#include "frame_result.h"

namespace rvgst {

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // Runs the network; throws rv::Error (the caller turns it into a GStreamer error).
  virtual void analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) = 0;
  // Loads `path` for this task and swaps it in; a call under way finishes with
  // the old model. Throws rv::InputError naming the file; the old model stays.
  virtual void reload(const std::string& path) = 0;
  // "vgg16 width 0.125" — for the model-updated message.
  virtual std::string describe() const = 0;
};

std::string describe_spec(const rv::BundleMeta& meta);

}  // namespace rvgst
