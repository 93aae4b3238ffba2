#pragma once
// Shared helpers for the element tests: tiny models written to a temporary
// folder, synthetic frames in any accepted format, and bus message capture.
#include <gst/check/gstharness.h>
#include <gtest/gtest.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "engine/image_view.h"

namespace rvtest {

// Initialises GStreamer once (the plugin is found through GST_PLUGIN_PATH).
void init_gstreamer();

// A temporary folder removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// A tiny counting model (vgg16 × 0.125) whose density is positive everywhere
// (the last bias is raised), so counts and heat maps are visible; `seed`
// gives different weights.
std::string write_count_model(const TempDir& dir, const std::string& name, int seed, double bias = 0.5);
// A tiny quality model; `offset` shifts the 0–100 calibration.
std::string write_quality_model(const TempDir& dir, const std::string& name, int seed, double offset = 50.0);

// A deterministic RGB test picture (gradients and bright blobs).
GstBuffer* make_rgb_picture(int width, int height, int variant = 0);
// The same picture converted to `format` with libgstvideo.
GstBuffer* convert_picture(GstBuffer* rgb, int width, int height, GstVideoFormat format);
std::string caps_string(GstVideoFormat format, int width, int height);

// Element messages posted on a bus attached to the element.
class BusWatch {
 public:
  explicit BusWatch(GstElement* element);
  ~BusWatch();
  // All messages (any type) so far, taken off the bus.
  std::vector<GstMessage*>& drain();
  // Structures of element messages named `name`, in bus order.
  std::vector<const GstStructure*> element_messages(const std::string& name);
  // Waits up to `seconds` for an element message named `name` (or an error /
  // warning when name is "error" / "warning"). Returns it or nullptr.
  GstMessage* wait_for(const std::string& name, double seconds);

 private:
  GstBus* bus_;
  std::vector<GstMessage*> messages_;
  size_t waited_ = 0;  // wait_for() never returns the same message twice
};

// A harness around a fresh `factory` element with "name=value name=value"
// properties set before it starts (the harness plays it at once).
GstHarness* make_harness(const std::string& factory, const std::string& props, const std::string& caps);

// Creates a `factory` element with `props` and takes it to PAUSED, which
// should fail: whether it did, and the error it posted on the bus (message
// empty when none came within a second). The element is disposed of.
struct StartFailure {
  bool failed = false;
  std::string message;
  GQuark domain = 0;
  int code = 0;
};
StartFailure start_failure(const std::string& factory, const std::string& props);

// Fields of a message structure; a missing field fails the test.
double get_double(const GstStructure* s, const char* field);
bool get_bool(const GstStructure* s, const char* field);

// An RGB buffer mapped for reading, as the engines' ImageView.
class MappedView {
 public:
  MappedView(GstBuffer* buffer, int width, int height);
  ~MappedView();
  MappedView(const MappedView&) = delete;
  MappedView& operator=(const MappedView&) = delete;
  rv::ImageView view;

 private:
  GstBuffer* buffer_;
  GstMapInfo map_;
};

// Pushes a copy of `picture` with the given PTS and returns the output buffer.
GstBuffer* push_and_pull(GstHarness* h, GstBuffer* picture, GstClockTime pts);

// What the counting engine alone says about an RGB `picture` with `model`.
double engine_count(const std::string& model, GstBuffer* picture, int width, int height);

// What the element test fixtures share: GStreamer initialised, a temporary folder
// for the suite's model files (derived fixtures write theirs after calling
// ElementTest::SetUpTestSuite()), a W×H RGB test picture per test, and harness and
// engine helpers at that size.
template <int W, int H>
class ElementTest : public ::testing::Test {
 protected:
  static constexpr int kW = W;
  static constexpr int kH = H;
  static void SetUpTestSuite() {
    init_gstreamer();
    dir_ = new TempDir();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { picture_ = make_rgb_picture(W, H); }
  void TearDown() override {
    if (picture_) gst_buffer_unref(picture_);
  }
  // A harness over `factory` with `model` and the other `props`, fed W×H frames of `format`.
  static GstHarness* element_harness(const std::string& factory, const std::string& model, const std::string& props,
                                     GstVideoFormat format = GST_VIDEO_FORMAT_RGB) {
    return make_harness(factory, "model-file=" + model + " " + props, caps_string(format, W, H));
  }
  // What the counting engine alone says about the test picture.
  double engine_count(const std::string& model) const { return rvtest::engine_count(model, picture_, W, H); }

  static inline TempDir* dir_ = nullptr;
  GstBuffer* picture_ = nullptr;
};

}  // namespace rvtest
