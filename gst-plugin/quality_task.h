#pragma once
// iqascore's side of the per-frame flow: exponential smoothing of the score in
// frame order, the alert threshold and its messages, the per-frame message
// fields, and the overlay (score and bar, top right). Plain C++;
// gstiqascore.cpp forwards its properties here.
#include <functional>
#include <mutex>

#include "element_task.h"

namespace rvgst {

struct QualitySettings {
  double smoothing = 0.0;
  double alert_threshold = 0.0;
};

class QualityTask : public ElementTask {
 public:
  QualitySettings settings() const;
  void update(const std::function<void(QualitySettings&)>& change);

  AnalyzerKind kind() const override { return AnalyzerKind::Quality; }
  GstRankvisionResultKind meta_kind() const override { return GST_RANKVISION_RESULT_QUALITY; }
  const char* message_name() const override { return "iqascore"; }
  const char* value_field() const override { return "score"; }
  void reset() override;
  FramePlan plan(const GstVideoInfo& info, const OverlaySettings& overlay) override;
  void finish(FrameResult& result, GstElement* element) override;
  void fill_message(const FrameResult& result, GstStructure* message) const override;
  void draw(const FrameResult& result, const FramePlan& plan, Canvas& canvas) override;

 private:
  mutable std::mutex lock_;
  QualitySettings settings_;
  // Worker thread state, in frame order (under lock_).
  bool have_smoothed_ = false;
  double smoothed_ = 0;
  bool alert_ = false;
};

}  // namespace rvgst
