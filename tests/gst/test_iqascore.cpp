// GstHarness tests of the iqascore element.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine/engines.h"
#include "rankvision-meta.h"
#include "test_support.h"

namespace {

class IqaScoreTest : public rvtest::ElementTest<160, 120> {
 protected:
  static void SetUpTestSuite() {
    ElementTest::SetUpTestSuite();
    model_ = rvtest::write_quality_model(*dir_, "quality.rvm", 5);
    count_model_ = rvtest::write_count_model(*dir_, "count.rvm", 6);
  }

  GstHarness* harness(const std::string& props, GstVideoFormat format = GST_VIDEO_FORMAT_RGB) {
    return element_harness("iqascore", model_, "on-busy=wait " + props, format);
  }

  double engine_score(GstBuffer* picture) {
    rvtest::MappedView mapped(picture, kW, kH);
    return rv::QualityScorer::from_file(model_)->score(mapped.view).score;
  }

  static inline std::string model_, count_model_;
};

TEST_F(IqaScoreTest, ScoresMatchTheEngineInMessagesAndMeta) {
  GstBuffer* picture = rvtest::make_rgb_picture(kW, kH);
  const double expected = engine_score(picture);
  ASSERT_GT(expected, 0.0);
  ASSERT_LT(expected, 100.0) << "the test model's calibration should land inside 0–100";
  for (auto f : {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_I420}) {
    GstHarness* h = harness("", f);
    rvtest::BusWatch bus(h->element);
    GstBuffer* in = rvtest::convert_picture(picture, kW, kH, f);
    GstBuffer* out = rvtest::push_and_pull(h, in, 0);
    ASSERT_NE(out, nullptr);
    GstRankvisionMeta* m = gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_QUALITY);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(gst_buffer_get_rankvision_meta(out, GST_RANKVISION_RESULT_COUNT), nullptr);
    const double tol = f == GST_VIDEO_FORMAT_I420 ? 1.0 : 1e-3;
    EXPECT_NEAR(m->value, expected, tol) << gst_video_format_to_string(f);
    auto msgs = bus.element_messages("iqascore");
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NEAR(rvtest::get_double(msgs[0], "score"), m->value, 1e-9);
    EXPECT_NEAR(rvtest::get_double(msgs[0], "raw-score"), m->value, 1e-9);
    gst_buffer_unref(out);
    gst_buffer_unref(in);
    gst_harness_teardown(h);
  }
  gst_buffer_unref(picture);
}

TEST_F(IqaScoreTest, SmoothingAndAlertsFollowTheScores) {
  GstBuffer* a = rvtest::make_rgb_picture(kW, kH, 0);
  GstBuffer* b = rvtest::make_rgb_picture(kW, kH, 3);
  const double sa = engine_score(a), sb = engine_score(b);
  // Threshold between the two smoothed values so that the second frame crosses it.
  const double smoothed = 0.5 * sa + 0.5 * sb;
  GstHarness* h = harness("smoothing=0.5 alert-threshold=100");
  rvtest::BusWatch bus(h->element);
  gst_buffer_unref(rvtest::push_and_pull(h, a, 0));
  gst_buffer_unref(rvtest::push_and_pull(h, b, GST_SECOND / 30));
  auto msgs = bus.element_messages("iqascore");
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_NEAR(rvtest::get_double(msgs[0], "score"), sa, 1e-3);
  EXPECT_NEAR(rvtest::get_double(msgs[1], "raw-score"), sb, 1e-3);
  EXPECT_NEAR(rvtest::get_double(msgs[1], "score"), smoothed, 1e-3);
  // Every score is below 100: one alert when it starts, none per frame after.
  auto alerts = bus.element_messages("iqascore-alert");
  ASSERT_EQ(alerts.size(), 1u);
  gboolean alert = FALSE;
  gst_structure_get_boolean(alerts[0], "alert", &alert);
  EXPECT_TRUE(alert);
  double score = -1;
  g_object_get(h->element, "score", &score, nullptr);
  EXPECT_NEAR(score, smoothed, 1e-3);
  gst_buffer_unref(a);
  gst_buffer_unref(b);
  gst_harness_teardown(h);
}

TEST_F(IqaScoreTest, DrawsOnlyWhenAsked) {
  GstBuffer* picture = rvtest::make_rgb_picture(kW, kH);
  GstMapInfo original;
  gst_buffer_map(picture, &original, GST_MAP_READ);
  for (bool draw : {false, true}) {
    GstHarness* h = harness(draw ? "draw-overlay=true" : "");
    GstBuffer* out = rvtest::push_and_pull(h, picture, 0);
    ASSERT_NE(out, nullptr);
    const bool changed = gst_buffer_memcmp(out, 0, original.data, original.size) != 0;
    EXPECT_EQ(changed, draw);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
  gst_buffer_unmap(picture, &original);
  gst_buffer_unref(picture);
}

TEST_F(IqaScoreTest, CountModelIsRefusedBeforePaused) {
  auto f = rvtest::start_failure("iqascore", "model-file=" + count_model_);
  EXPECT_TRUE(f.failed);
  EXPECT_NE(f.message.find(count_model_), std::string::npos) << f.message;
}

}  // namespace
