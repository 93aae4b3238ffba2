// GstHarness tests of the crowdcount element (and the shared element base).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "rankvision-meta.h"
#include "test_support.h"

namespace {

class CrowdCountTest : public rvtest::ElementTest<160, 120> {
 protected:
  static void SetUpTestSuite() {
    ElementTest::SetUpTestSuite();
    model_ = rvtest::write_count_model(*dir_, "count.rvm", 1);
    other_model_ = rvtest::write_count_model(*dir_, "count2.rvm", 2, 1.0);
    quality_model_ = rvtest::write_quality_model(*dir_, "quality.rvm", 3);
  }

  // A harness over crowdcount with the test model, `format` caps and `props`.
  GstHarness* harness(const std::string& props = "", GstVideoFormat format = GST_VIDEO_FORMAT_RGB) {
    return element_harness("crowdcount", model_, props, format);
  }

  static guint64 get_u64(const GstStructure* s, const char* field) {
    guint64 v = 0;
    EXPECT_TRUE(gst_structure_get_uint64(s, field, &v)) << field;
    return v;
  }

  static inline std::string model_, other_model_, quality_model_;
};

TEST_F(CrowdCountTest, PluginRegistersBothElementsAndTheMeta) {
  GstPlugin* plugin = gst_registry_find_plugin(gst_registry_get(), "rankvision");
  ASSERT_NE(plugin, nullptr) << "GST_PLUGIN_PATH must point at the build's gst-plugin folder";
  gst_object_unref(plugin);
  GstElement* cc = gst_element_factory_make("crowdcount", nullptr);
  GstElement* iqa = gst_element_factory_make("iqascore", nullptr);
  ASSERT_NE(cc, nullptr);
  ASSERT_NE(iqa, nullptr);
  EXPECT_NE(GST_RANKVISION_META_API_TYPE, G_TYPE_INVALID);
  gst_object_unref(cc);
  gst_object_unref(iqa);
}

TEST_F(CrowdCountTest, AcceptsListedFormatsAndRefusesOthers) {
  GstElement* e = gst_element_factory_make("crowdcount", nullptr);
  GstPad* sink = gst_element_get_static_pad(e, "sink");
  for (auto f : {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
                 GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12}) {
    GstCaps* caps = gst_caps_from_string(rvtest::caps_string(f, kW, kH).c_str());
    EXPECT_TRUE(gst_pad_query_accept_caps(sink, caps)) << gst_video_format_to_string(f);
    gst_caps_unref(caps);
  }
  for (const char* refused : {"video/x-raw,format=GRAY8,width=160,height=120,framerate=30/1",
                              "video/x-raw,format=YUY2,width=160,height=120,framerate=30/1",
                              "audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved"}) {
    GstCaps* caps = gst_caps_from_string(refused);
    EXPECT_FALSE(gst_pad_query_accept_caps(sink, caps)) << refused;
    gst_caps_unref(caps);
  }
  gst_object_unref(sink);
  gst_object_unref(e);
}

TEST_F(CrowdCountTest, EveryFormatGivesTheSameCount) {
  const double expected = engine_count(model_);
  for (auto f : {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
                 GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12}) {
    GstHarness* h = harness("on-busy=wait", f);
    GstBuffer* in = rvtest::convert_picture(picture_, kW, kH, f);
    GstBuffer* out = rvtest::push_and_pull(h, in, 0);
    ASSERT_NE(out, nullptr) << gst_video_format_to_string(f);
    GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT);
    ASSERT_NE(m, nullptr) << gst_video_format_to_string(f);
    const bool yuv = f == GST_VIDEO_FORMAT_I420 || f == GST_VIDEO_FORMAT_NV12;
    // Packed orders see identical pixels; 4:2:0 loses chroma detail, a little.
    const double tolerance = yuv ? 0.02 * std::abs(expected) + 0.05 : 1e-4 * std::abs(expected) + 1e-5;
    EXPECT_NEAR(m->value, expected, tolerance) << gst_video_format_to_string(f);
    EXPECT_FALSE(m->stale);
    gst_buffer_unref(out);
    gst_buffer_unref(in);
    gst_harness_teardown(h);
  }
}

TEST_F(CrowdCountTest, MessagesAndMetaDescribeEachFrame) {
  GstHarness* h = harness("on-busy=wait attach-density-map=true");
  rvtest::BusWatch bus(h->element);
  const double expected = engine_count(model_);
  for (int i = 0; i < 3; ++i) {
    GstBuffer* out = rvtest::push_and_pull(h, picture_, 1000 + i * (GST_SECOND / 30));
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(GST_BUFFER_PTS(out), 1000 + i * (GST_SECOND / 30)) << "timestamps pass unchanged";
    GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->frame_number, static_cast<guint64>(i));
    EXPECT_NEAR(m->value, expected, 1e-3 * std::abs(expected) + 1e-5);
    guint dw = 0, dh = 0;
    double cw = 0, ch = 0;
    const float* density = gst_rankvision_meta_get_density(m, &dw, &dh, &cw, &ch);
    ASSERT_NE(density, nullptr);
    EXPECT_EQ(dw, static_cast<guint>((kW + 15) / 16));
    EXPECT_EQ(dh, static_cast<guint>((kH + 15) / 16));
    double sum = 0;
    for (guint k = 0; k < dw * dh; ++k) sum += density[k];
    EXPECT_NEAR(sum, m->raw, 1e-3 * std::abs(m->raw) + 1e-4) << "the density map sums to the count";
    gst_buffer_unref(out);
  }
  auto msgs = bus.element_messages("crowdcount");
  ASSERT_EQ(msgs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const GstStructure* s = msgs[i];
    EXPECT_EQ(get_u64(s, "frame-number"), static_cast<guint64>(i));
    EXPECT_EQ(get_u64(s, "timestamp"), 1000 + i * (GST_SECOND / 30));
    EXPECT_EQ(get_u64(s, "running-time"), 1000 + i * (GST_SECOND / 30));
    EXPECT_EQ(get_u64(s, "stream-time"), 1000 + i * (GST_SECOND / 30));
    EXPECT_EQ(get_u64(s, "duration"), GST_SECOND / 30);
    EXPECT_NEAR(rvtest::get_double(s, "count"), expected, 1e-3 * std::abs(expected) + 1e-5);
    EXPECT_FALSE(rvtest::get_bool(s, "stale"));
    EXPECT_GT(rvtest::get_double(s, "inference-ms"), 0.0);
    EXPECT_TRUE(gst_structure_has_field_typed(s, "zones", GST_TYPE_ARRAY));
  }
  GstStructure* stats = nullptr;
  g_object_get(h->element, "stats", &stats, nullptr);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(get_u64(stats, "frames"), 3u);
  EXPECT_EQ(get_u64(stats, "inferences"), 3u);
  EXPECT_EQ(get_u64(stats, "skipped"), 0u);
  gst_structure_free(stats);
  double count = 0;
  g_object_get(h->element, "count", &count, nullptr);
  EXPECT_NEAR(count, expected, 1e-3 * std::abs(expected) + 1e-5);
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, ZonesAndRoiSplitTheDensity) {
  // 120 rows make 7.5 cells: the zones reach past the bottom edge so that they
  // cover the last, partial row of cells too.
  GstHarness* h = harness("on-busy=wait zones=left:0,0,80,128;right:80,0,80,128 roi=0,0,80,128");
  rvtest::BusWatch bus(h->element);
  GstBuffer* out = rvtest::push_and_pull(h, picture_, 0);
  ASSERT_NE(out, nullptr);
  GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->n_zones, 2u);
  const gchar* id = nullptr;
  double left = 0, right = 0;
  ASSERT_TRUE(gst_rankvision_meta_get_zone(m, 0, &id, &left));
  EXPECT_STREQ(id, "left");
  ASSERT_TRUE(gst_rankvision_meta_get_zone(m, 1, &id, &right));
  EXPECT_STREQ(id, "right");
  EXPECT_FALSE(gst_rankvision_meta_get_zone(m, 2, &id, nullptr));
  // The two halves partition the cells; the ROI is the left half.
  EXPECT_NEAR(left + right, m->raw, 1e-3 * std::abs(m->raw) + 1e-4);
  EXPECT_NEAR(m->value, left, 1e-4 * std::abs(left) + 1e-5);
  EXPECT_GT(left, 0.2 * m->raw);
  EXPECT_GT(right, 0.2 * m->raw);
  gst_buffer_unref(out);

  auto msgs = bus.element_messages("crowdcount");
  ASSERT_EQ(msgs.size(), 1u);
  const GValue* zones = gst_structure_get_value(msgs[0], "zones");
  ASSERT_NE(zones, nullptr);
  ASSERT_EQ(gst_value_array_get_size(zones), 2u);
  const GstStructure* z1 = gst_value_get_structure(gst_value_array_get_value(zones, 1));
  EXPECT_STREQ(gst_structure_get_string(z1, "id"), "right");
  EXPECT_NEAR(rvtest::get_double(z1, "count"), right, 1e-6);
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, ZonesFileWithNormalizedUnitsAndThresholdAlerts) {
  const std::string zones = dir_->path("zones.json");
  g_file_set_contents(zones.c_str(),
                      R"({"units": "normalized", "zones": [{"id": "top", "rect": [0, 0, 1, 0.5], "threshold": 0.001}]})",
                      -1, nullptr);
  GstHarness* h = harness("on-busy=wait count-threshold=0.5 zones-file=" + zones);
  rvtest::BusWatch bus(h->element);
  for (int i = 0; i < 2; ++i) {
    GstBuffer* out = rvtest::push_and_pull(h, picture_, i * GST_SECOND / 30);
    ASSERT_NE(out, nullptr);
    GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT);
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->alert);
    ASSERT_EQ(m->n_zones, 1u);
    EXPECT_NEAR(m->zone_counts[0], 0.5 * m->raw, 0.1 * m->raw);
    gst_buffer_unref(out);
  }
  // One alert per crossing (frame and zone), not one per frame.
  auto alerts = bus.element_messages("crowdcount-alert");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_STREQ(gst_structure_get_string(alerts[0], "zone"), "frame");
  EXPECT_TRUE(rvtest::get_bool(alerts[0], "alert"));
  EXPECT_STREQ(gst_structure_get_string(alerts[1], "zone"), "top");
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, BadZonesFailTheStartWithTheReason) {
  auto f = rvtest::start_failure("crowdcount", "model-file=" + model_ + " zones=door:1,2,3");
  EXPECT_TRUE(f.failed);
  EXPECT_NE(f.message.find("door"), std::string::npos) << f.message;
}

TEST_F(CrowdCountTest, IntervalCarriesTheLastResultMarkedStale) {
  GstHarness* h = harness("on-busy=wait inference-interval=3");
  rvtest::BusWatch bus(h->element);
  for (int i = 0; i < 6; ++i) {
    GstBuffer* out = rvtest::push_and_pull(h, picture_, i * GST_SECOND / 30);
    ASSERT_NE(out, nullptr);
    GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(static_cast<bool>(m->stale), i % 3 != 0) << "frame " << i;
    EXPECT_EQ(m->frame_number, static_cast<guint64>(i - i % 3));
    gst_buffer_unref(out);
  }
  auto msgs = bus.element_messages("crowdcount");
  ASSERT_EQ(msgs.size(), 6u) << "one message per frame";
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(get_u64(msgs[i], "frame-number"), static_cast<guint64>(i));
    EXPECT_EQ(rvtest::get_bool(msgs[i], "stale"), i % 3 != 0);
    EXPECT_EQ(get_u64(msgs[i], "result-frame-number"), static_cast<guint64>(i - i % 3));
  }
  GstStructure* stats = nullptr;
  g_object_get(h->element, "stats", &stats, nullptr);
  EXPECT_EQ(get_u64(stats, "frames"), 6u);
  EXPECT_EQ(get_u64(stats, "inferences"), 2u);
  EXPECT_EQ(get_u64(stats, "skipped"), 4u);
  gst_structure_free(stats);
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, FramesPassUntouchedUnlessDrawingIsAsked) {
  auto pixels_equal = [](GstBuffer* a, GstBuffer* b) {
    GstMapInfo ma, mb;
    gst_buffer_map(a, &ma, GST_MAP_READ);
    gst_buffer_map(b, &mb, GST_MAP_READ);
    const bool same = ma.size == mb.size && std::memcmp(ma.data, mb.data, ma.size) == 0;
    gst_buffer_unmap(a, &ma);
    gst_buffer_unmap(b, &mb);
    return same;
  };
  for (auto f : {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12}) {
    GstBuffer* in = rvtest::convert_picture(picture_, kW, kH, f);
    struct Case {
      const char* props;
      bool changes;
    };
    for (const Case& c : {Case{"", false}, Case{"draw-count=true", true}, Case{"draw-overlay=true", true},
                          Case{"draw-overlay=true overlay-alpha=0", false}}) {
      GstHarness* h = harness(std::string("on-busy=wait ") + c.props, f);
      GstBuffer* out = rvtest::push_and_pull(h, in, 0);
      ASSERT_NE(out, nullptr);
      EXPECT_EQ(!pixels_equal(in, out), c.changes) << gst_video_format_to_string(f) << " " << c.props;
      gst_buffer_unref(out);
      gst_harness_teardown(h);
    }
    gst_buffer_unref(in);
  }
}

TEST_F(CrowdCountTest, OverlayDrawsCountCaptionAndHeatMapKeyByDefault) {
  // Pixels of an RGB output frame.
  auto run = [&](const std::string& props) {
    GstHarness* h = harness("on-busy=wait " + props);
    GstBuffer* out = rvtest::push_and_pull(h, picture_, 0);
    EXPECT_NE(out, nullptr);
    std::vector<uint8_t> px(kW * kH * 3);
    GstMapInfo m;
    gst_buffer_map(out, &m, GST_MAP_READ);
    for (int y = 0; y < kH; ++y) std::memcpy(&px[y * kW * 3], m.data + y * GST_ROUND_UP_4(kW * 3), kW * 3);
    gst_buffer_unmap(out, &m);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    return px;
  };
  auto differs = [](const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        for (int c = 0; c < 3; ++c) n += a[(y * kW + x) * 3 + c] != b[(y * kW + x) * 3 + c];
    return n;
  };
  const auto heat_only = run("draw-overlay=true draw-count=false");
  const auto with_count = run("draw-overlay=true");
  const auto with_caption = run("draw-overlay=true overlay-label=default");
  // The count is drawn by default (top left, first label row: 11 px at this height).
  EXPECT_GT(differs(heat_only, with_count, 0, 0, 60, 11), 50);
  // A caption takes the first row and pushes the count down.
  EXPECT_GT(differs(with_count, with_caption, 0, 0, 60, 11), 50);
  EXPECT_GT(differs(heat_only, with_caption, 0, 12, 60, 23), 50);
  // The heat map's key, bottom left: a colour bar from the low end of jet (blue)
  // to its high end (red) under the "PEOPLE/CELL 0 - peak" line.
  const int bar_y = kH - 16 + 4 + 7 + 1;
  const uint8_t* low = &with_count[(bar_y * kW + 3) * 3];
  const uint8_t* high = &with_count[(bar_y * kW + 120) * 3];
  EXPECT_GT(low[2], low[0] + 60) << int(low[0]) << "," << int(low[1]) << "," << int(low[2]);
  EXPECT_GT(high[0], high[2] + 60) << int(high[0]) << "," << int(high[1]) << "," << int(high[2]);
  EXPECT_EQ(differs(heat_only, with_count, 0, kH - 16, 60, kH), 0) << "the key is the same with or without the count";
}

TEST_F(CrowdCountTest, HotReloadSwapsGoodModelsAndKeepsTheOldOneOnBadFiles) {
  GstHarness* h = harness("on-busy=wait");
  rvtest::BusWatch bus(h->element);
  const double first = engine_count(model_);
  const double second = engine_count(other_model_);
  ASSERT_GT(std::abs(first - second), 1.0) << "the two test models must differ";

  GstBuffer* out = rvtest::push_and_pull(h, picture_, 0);
  EXPECT_NEAR(gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT)->value, first, 1e-3 * std::abs(first));
  gst_buffer_unref(out);

  g_object_set(h->element, "model-file", other_model_.c_str(), nullptr);
  GstMessage* updated = bus.wait_for("model-updated", 20.0);
  ASSERT_NE(updated, nullptr);
  EXPECT_STREQ(gst_structure_get_string(gst_message_get_structure(updated), "model-file"), other_model_.c_str());
  out = rvtest::push_and_pull(h, picture_, GST_SECOND / 30);
  EXPECT_NEAR(gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT)->value, second,
              1e-3 * std::abs(second));
  gst_buffer_unref(out);

  // A corrupt file: a warning naming it, and the running model stays.
  const std::string corrupt = dir_->path("corrupt.rvm");
  g_file_set_contents(corrupt.c_str(), "RVBUNDLE but not really", -1, nullptr);
  g_object_set(h->element, "model-file", corrupt.c_str(), nullptr);
  GstMessage* warning = bus.wait_for("warning", 20.0);
  ASSERT_NE(warning, nullptr);
  GError* error = nullptr;
  gst_message_parse_warning(warning, &error, nullptr);
  EXPECT_NE(std::string(error->message).find(corrupt), std::string::npos) << error->message;
  g_error_free(error);
  gchar* current = nullptr;
  g_object_get(h->element, "model-file", &current, nullptr);
  EXPECT_STREQ(current, other_model_.c_str());
  g_free(current);
  out = rvtest::push_and_pull(h, picture_, 2 * GST_SECOND / 30);
  ASSERT_NE(out, nullptr);
  EXPECT_NEAR(gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT)->value, second,
              1e-3 * std::abs(second));
  gst_buffer_unref(out);

  // A model for the other task is refused the same way.
  g_object_set(h->element, "model-file", quality_model_.c_str(), nullptr);
  ASSERT_NE(bus.wait_for("warning", 20.0), nullptr);
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, MissingCorruptOrWrongTaskModelFailsToReachPaused) {
  const std::string corrupt = dir_->path("garbage.rvm");
  g_file_set_contents(corrupt.c_str(), "definitely not a model", -1, nullptr);
  const std::string missing = dir_->path("missing.rvm");
  for (const std::string& path : {missing, corrupt, quality_model_}) {
    auto f = rvtest::start_failure("crowdcount", "model-file=" + path);
    EXPECT_TRUE(f.failed) << path;
    EXPECT_NE(f.message.find(path), std::string::npos) << f.message;
    if (path == missing) {
      EXPECT_TRUE(f.domain == GST_RESOURCE_ERROR && f.code == GST_RESOURCE_ERROR_NOT_FOUND) << f.message;
    }
  }
}

TEST_F(CrowdCountTest, CudaWithoutCudaIsAClearError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here";
  auto f = rvtest::start_failure("crowdcount", "model-file=" + model_ + " device=cuda");
  EXPECT_TRUE(f.failed);
  EXPECT_NE(f.message.find("cuda"), std::string::npos) << f.message;
}

TEST_F(CrowdCountTest, RepeatedStateCyclesKeepWorking) {
  GstHarness* h = harness("on-busy=drop");
  rvtest::BusWatch bus(h->element);
  for (int cycle = 0; cycle < 4; ++cycle) {
    for (int i = 0; i < 3; ++i) {
      GstBuffer* out = rvtest::push_and_pull(h, picture_, i * GST_SECOND / 30);
      ASSERT_NE(out, nullptr) << "cycle " << cycle;
      gst_buffer_unref(out);
    }
    ASSERT_EQ(gst_element_set_state(h->element, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    ASSERT_EQ(gst_element_set_state(h->element, GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  }
  // After a restart, counting starts from frame 0 again.
  GstStructure* stats = nullptr;
  g_object_get(h->element, "stats", &stats, nullptr);
  EXPECT_EQ(get_u64(stats, "frames"), 0u);
  gst_structure_free(stats);
  gst_harness_teardown(h);
}

TEST_F(CrowdCountTest, EosDuringInferenceDeliversEveryFramesMessage) {
  // on-busy=drop: frames do not wait, so several queue up behind a running
  // inference; EOS must wait for the last one and every frame gets exactly
  // one message (fresh when inferred, stale when the network was busy).
  GstHarness* h = harness("on-busy=drop");
  rvtest::BusWatch bus(h->element);
  const int n = 8;
  for (int i = 0; i < n; ++i) {
    GstBuffer* in = gst_buffer_copy_deep(picture_);
    GST_BUFFER_PTS(in) = i * GST_SECOND / 30;
    ASSERT_EQ(gst_harness_push(h, in), GST_FLOW_OK);
  }
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto msgs = bus.element_messages("crowdcount");
  std::vector<int> per_frame(n, 0);
  for (auto* s : msgs) per_frame.at(get_u64(s, "frame-number"))++;
  // At most one message per frame (a frame dropped before any result exists
  // has nothing to report), and one for every inference.
  size_t fresh = 0;
  for (int i = 0; i < n; ++i) EXPECT_LE(per_frame[i], 1) << "frame " << i;
  for (auto* s : msgs) fresh += !rvtest::get_bool(s, "stale");
  // The last frame was queued last, so it is never dropped.
  bool last_fresh = false;
  for (auto* s : msgs)
    if (get_u64(s, "frame-number") == n - 1u) last_fresh = !rvtest::get_bool(s, "stale");
  EXPECT_TRUE(last_fresh);
  GstStructure* stats = nullptr;
  g_object_get(h->element, "stats", &stats, nullptr);
  EXPECT_EQ(get_u64(stats, "frames"), static_cast<guint64>(n));
  EXPECT_EQ(get_u64(stats, "inferences") + get_u64(stats, "dropped"), static_cast<guint64>(n));
  EXPECT_EQ(fresh, get_u64(stats, "inferences"));
  gst_structure_free(stats);
  // Tear down right after pushing more frames: no hang, no leak.
  for (int i = 0; i < 3; ++i) {
    GstBuffer* in = gst_buffer_copy_deep(picture_);
    gst_harness_push(h, in);
  }
  gst_harness_teardown(h);
}

}  // namespace
