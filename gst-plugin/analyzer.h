#pragma once
// The element-facing side of a core engine: frame in, FrameResult out. One
// implementation per task wraps rv::CrowdCounter / rv::QualityScorer (in
// analyzer.cpp), so no element file ever includes LibTorch: this header and
// everything it includes are free of torch headers.
#include <memory>
#include <string>

#include "engine/engine_options.h"
#include "engine/image_view.h"
#include "frame_result.h"

namespace rvgst {

enum class AnalyzerKind { Count, Quality };

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // Runs the network; throws rv::Error (the caller turns it into a GStreamer error).
  virtual void analyze(const rv::ImageView& frame, const JobSettings& settings, FrameResult& out) = 0;
  // Loads `path` for this task and swaps it in; a call under way finishes with
  // the old model. Throws rv::InputError naming the file; the old model stays.
  virtual void reload(const std::string& path) = 0;
  // "posenet_mnv1 width 0.75" — for the model-updated message.
  virtual std::string describe() const = 0;
};

// Loads the model file for the task (throws rv::Error naming the file and why).
std::unique_ptr<Analyzer> create_analyzer(AnalyzerKind kind, const std::string& path,
                                          const rv::EngineOptions& options);
// Throws rv::Error when `device` is not cpu, cuda or cuda:N, or CUDA is absent.
void check_device(const std::string& device);
// The installed default model of the task; empty when there is none.
std::string default_model_path(AnalyzerKind kind);
// "counting" / "quality".
const char* task_name(AnalyzerKind kind);

}  // namespace rvgst
