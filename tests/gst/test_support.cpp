#include "test_support.h"

#include <glib/gstdio.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "engine/engines.h"

namespace rvtest {

void init_gstreamer() {
  static bool done = false;
  if (!done) {
    gst_init(nullptr, nullptr);
    done = true;
  }
}

TempDir::TempDir() {
  gchar* d = g_dir_make_tmp("rankvision-gst-XXXXXX", nullptr);
  dir_ = d;
  g_free(d);
}

TempDir::~TempDir() {
  GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
  if (d) {
    while (const gchar* name = g_dir_read_name(d)) g_remove((dir_ + "/" + name).c_str());
    g_dir_close(d);
  }
  g_rmdir(dir_.c_str());
}

namespace {
// The last bias of the network is its output head.
void raise_last_bias(rv::RankNet& net, double value) {
  torch::NoGradGuard guard;
  torch::Tensor last;
  for (auto& p : net.named_parameters())
    if (p.key().find("bias") != std::string::npos) last = p.value();
  if (last.defined()) last.fill_(value);
}
}  // namespace

std::string write_count_model(const TempDir& dir, const std::string& name, int seed, double bias) {
  torch::manual_seed(seed);
  rv::NetSpec spec;
  spec.task = rv::Task::Count;
  spec.arch = "vgg16";
  spec.width = 0.125;
  rv::ModelBundle bundle = rv::make_bundle(spec);
  raise_last_bias(*bundle.net, bias * spec.density_scale);
  const std::string path = dir.path(name);
  rv::save_bundle(path, bundle);
  return path;
}

std::string write_quality_model(const TempDir& dir, const std::string& name, int seed, double offset) {
  torch::manual_seed(seed);
  rv::NetSpec spec;
  spec.task = rv::Task::Quality;
  spec.arch = "vgg16";
  spec.width = 0.125;
  rv::ModelBundle bundle = rv::make_bundle(spec);
  bundle.meta.score_scale = 10.0;
  bundle.meta.score_offset = offset;
  const std::string path = dir.path(name);
  rv::save_bundle(path, bundle);
  return path;
}

GstBuffer* make_rgb_picture(int width, int height, int variant) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, width, height);
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE);
  auto* data = static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = data + y * stride + 3 * x;
      const bool blob = ((x / 12 + y / 12 + variant) % 5) == 0;
      p[0] = blob ? 240 : static_cast<uint8_t>((x * 255) / width);
      p[1] = blob ? 200 : static_cast<uint8_t>((y * 255) / height);
      p[2] = static_cast<uint8_t>(((x + y) * 3 + 40 * variant) & 0xff);
    }
  gst_video_frame_unmap(&frame);
  return buf;
}

GstBuffer* convert_picture(GstBuffer* rgb, int width, int height, GstVideoFormat format) {
  GstVideoInfo in, out;
  gst_video_info_set_format(&in, GST_VIDEO_FORMAT_RGB, width, height);
  gst_video_info_set_format(&out, format, width, height);
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&out), nullptr);
  GstVideoFrame src, dst;
  gst_video_frame_map(&src, &in, rgb, GST_MAP_READ);
  gst_video_frame_map(&dst, &out, buf, GST_MAP_WRITE);
  GstVideoConverter* conv = gst_video_converter_new(&in, &out, nullptr);
  gst_video_converter_frame(conv, &src, &dst);
  gst_video_converter_free(conv);
  gst_video_frame_unmap(&src);
  gst_video_frame_unmap(&dst);
  return buf;
}

std::string caps_string(GstVideoFormat format, int width, int height) {
  return std::string("video/x-raw,format=") + gst_video_format_to_string(format) + ",width=" + std::to_string(width) +
         ",height=" + std::to_string(height) + ",framerate=30/1";
}

BusWatch::BusWatch(GstElement* element) : bus_(gst_bus_new()) { gst_element_set_bus(element, bus_); }

BusWatch::~BusWatch() {
  for (GstMessage* m : messages_) gst_message_unref(m);
  gst_object_unref(bus_);
}

std::vector<GstMessage*>& BusWatch::drain() {
  while (GstMessage* m = gst_bus_pop(bus_)) messages_.push_back(m);
  return messages_;
}

std::vector<const GstStructure*> BusWatch::element_messages(const std::string& name) {
  std::vector<const GstStructure*> out;
  for (GstMessage* m : drain()) {
    if (GST_MESSAGE_TYPE(m) != GST_MESSAGE_ELEMENT) continue;
    const GstStructure* s = gst_message_get_structure(m);
    if (s && name == gst_structure_get_name(s)) out.push_back(s);
  }
  return out;
}

GstMessage* BusWatch::wait_for(const std::string& name, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  do {
    drain();
    while (waited_ < messages_.size()) {
      GstMessage* m = messages_[waited_++];
      if (name == "error" && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) return m;
      if (name == "warning" && GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING) return m;
      if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT && gst_message_get_structure(m) &&
          name == gst_structure_get_name(gst_message_get_structure(m)))
        return m;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < until);
  return nullptr;
}

namespace {
GstElement* make_element(const std::string& factory, const std::string& props) {
  GstElement* element = gst_element_factory_make(factory.c_str(), nullptr);
  if (!element) return nullptr;
  gchar** pairs = g_strsplit(props.c_str(), " ", -1);
  for (gchar** p = pairs; *p; ++p) {
    if (**p == '\0') continue;
    gchar** kv = g_strsplit(*p, "=", 2);
    if (kv[0] && kv[1]) gst_util_set_object_arg(G_OBJECT(element), kv[0], kv[1]);
    g_strfreev(kv);
  }
  g_strfreev(pairs);
  return element;
}
}  // namespace

GstHarness* make_harness(const std::string& factory, const std::string& props, const std::string& caps) {
  GstElement* element = make_element(factory, props);
  if (!element) return nullptr;
  GstHarness* h = gst_harness_new_with_element(element, "sink", "src");
  gst_object_unref(element);
  gst_harness_set_src_caps_str(h, caps.c_str());
  return h;
}

StartFailure start_failure(const std::string& factory, const std::string& props) {
  StartFailure result;
  GstElement* e = make_element(factory, props);
  if (!e) return result;
  {
    BusWatch bus(e);
    result.failed = gst_element_set_state(e, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE;
    if (GstMessage* err = bus.wait_for("error", 1.0)) {
      GError* error = nullptr;
      gst_message_parse_error(err, &error, nullptr);
      result.message = error->message;
      result.domain = error->domain;
      result.code = error->code;
      g_error_free(error);
    }
  }
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
  return result;
}

double get_double(const GstStructure* s, const char* field) {
  double v = NAN;
  EXPECT_TRUE(gst_structure_get_double(s, field, &v)) << field;
  return v;
}

bool get_bool(const GstStructure* s, const char* field) {
  gboolean v = FALSE;
  EXPECT_TRUE(gst_structure_get_boolean(s, field, &v)) << field;
  return v;
}

MappedView::MappedView(GstBuffer* buffer, int width, int height) : buffer_(buffer) {
  gst_buffer_map(buffer_, &map_, GST_MAP_READ);
  view = rv::ImageView{map_.data, width, height, static_cast<size_t>(GST_ROUND_UP_4(width * 3)), rv::PixelFormat::RGB};
}

MappedView::~MappedView() { gst_buffer_unmap(buffer_, &map_); }

GstBuffer* push_and_pull(GstHarness* h, GstBuffer* picture, GstClockTime pts) {
  GstBuffer* in = gst_buffer_copy_deep(picture);
  GST_BUFFER_PTS(in) = pts;
  GST_BUFFER_DURATION(in) = GST_SECOND / 30;
  if (gst_harness_push(h, in) != GST_FLOW_OK) return nullptr;
  return gst_harness_pull(h);
}

double engine_count(const std::string& model, GstBuffer* picture, int width, int height) {
  MappedView mapped(picture, width, height);
  return rv::CrowdCounter::from_file(model)->count(mapped.view).count;
}

}  // namespace rvtest
