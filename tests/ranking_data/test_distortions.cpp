#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "ranking/distortions.h"
#include "test_util.h"

namespace {

double mse(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  d.convertTo(d, CV_64F);
  const cv::Scalar s = cv::sum(d.mul(d));
  return (s[0] + s[1] + s[2]) / (3.0 * a.total());
}

const cv::Mat& image() {
  static const cv::Mat img = rv_test::synthetic_image(192, 160);
  return img;
}

void check_monotone(rv::DistortionSet set) {
  const int levels = rv::distortion_levels(set);
  for (rv::Distortion type : rv::distortion_types(set)) {
    for (uint64_t seed : {1ull, 2ull, 3ull}) {
      SCOPED_TRACE(rv::distortion_name(type) + " seed " + std::to_string(seed));
      double prev = 0.0;
      for (int level = 1; level <= levels; ++level) {
        const cv::Mat out = rv::distort(image(), type, level, set, seed);
        ASSERT_EQ(out.size(), image().size());
        ASSERT_EQ(out.type(), CV_8UC3);
        const double e = mse(out, image());
        EXPECT_GT(e, prev) << "level " << level << " is not further from the original than level " << level - 1;
        prev = e;
      }
    }
  }
}

TEST(Distortions, Tid2013GrowsWithLevel) { check_monotone(rv::DistortionSet::Tid2013); }
TEST(Distortions, LiveGrowsWithLevel) { check_monotone(rv::DistortionSet::Live); }

TEST(Distortions, SetsAndNames) {
  const auto tid = rv::distortion_types(rv::DistortionSet::Tid2013);
  ASSERT_EQ(tid.size(), 17u);
  std::vector<int> numbers;
  for (auto t : tid) numbers.push_back(static_cast<int>(t));
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 22, 23}));
  EXPECT_EQ(rv::distortion_types(rv::DistortionSet::Live).size(), 4u);
  EXPECT_EQ(rv::distortion_levels(rv::DistortionSet::Tid2013), 4);
  EXPECT_EQ(rv::distortion_levels(rv::DistortionSet::Live), 5);
  std::set<std::string> names;
  for (auto t : tid) {
    names.insert(rv::distortion_name(t));
    EXPECT_EQ(rv::parse_distortion(rv::distortion_name(t)), t);
  }
  EXPECT_EQ(names.size(), 17u);
  EXPECT_EQ(rv::parse_distortion("#08"), rv::Distortion::GaussianBlur);
  EXPECT_EQ(rv::parse_distortion("22"), rv::Distortion::ColorQuantizationDither);
  EXPECT_EQ(rv::parse_distortion("GB"), rv::Distortion::GaussianBlur);
  EXPECT_EQ(rv::parse_distortion("gn"), rv::Distortion::AdditiveGaussianNoise);
  EXPECT_EQ(rv::parse_distortion("JP2K"), rv::Distortion::Jpeg2000);
  EXPECT_THROW_MSG(rv::parse_distortion("03"), rv::InputError, "03");
  EXPECT_THROW_MSG(rv::parse_distortion("sharpen"), rv::InputError, "sharpen");
  EXPECT_EQ(rv::parse_distortion_set("LIVE"), rv::DistortionSet::Live);
  EXPECT_THROW(rv::parse_distortion_set("csiq"), rv::InputError);
  // Appendix values.
  EXPECT_DOUBLE_EQ(rv::distortion_parameter(rv::Distortion::GaussianBlur, 4, rv::DistortionSet::Tid2013), 15.2);
  EXPECT_DOUBLE_EQ(rv::distortion_parameter(rv::Distortion::Jpeg, 1, rv::DistortionSet::Tid2013), 43);
  EXPECT_DOUBLE_EQ(rv::distortion_parameter(rv::Distortion::Jpeg2000, 3, rv::DistortionSet::Tid2013), 343);
}

TEST(Distortions, DeterministicForSeed) {
  for (rv::Distortion type : rv::distortion_types(rv::DistortionSet::Tid2013)) {
    SCOPED_TRACE(rv::distortion_name(type));
    const cv::Mat a = rv::distort(image(), type, 2, rv::DistortionSet::Tid2013, 99);
    const cv::Mat b = rv::distort(image(), type, 2, rv::DistortionSet::Tid2013, 99);
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  }
  // Random types depend on the seed.
  for (rv::Distortion type : {rv::Distortion::AdditiveGaussianNoise, rv::Distortion::ImpulseNoise,
                              rv::Distortion::PatternNoise, rv::Distortion::LocalBlockwise}) {
    const cv::Mat a = rv::distort(image(), type, 3, rv::DistortionSet::Tid2013, 1);
    const cv::Mat b = rv::distort(image(), type, 3, rv::DistortionSet::Tid2013, 2);
    EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0.0) << rv::distortion_name(type);
  }
}

TEST(Distortions, BothDirectionsForShiftAndContrast) {
  const double mean0 = cv::mean(image())[0];
  cv::Mat grey;
  cv::cvtColor(image(), grey, cv::COLOR_BGR2GRAY);
  cv::Scalar m0, sd0;
  cv::meanStdDev(grey, m0, sd0);
  int brighter = 0, darker = 0, stronger = 0, weaker = 0;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    const cv::Mat shifted = rv::distort(image(), rv::Distortion::MeanShift, 1, rv::DistortionSet::Tid2013, seed);
    const double m = cv::mean(shifted)[0];
    EXPECT_NEAR(std::abs(m - mean0), 15.0, 1.0);
    (m > mean0 ? brighter : darker)++;
    cv::Mat g;
    cv::cvtColor(rv::distort(image(), rv::Distortion::ContrastChange, 4, rv::DistortionSet::Tid2013, seed), g,
                 cv::COLOR_BGR2GRAY);
    cv::Scalar m1, sd1;
    cv::meanStdDev(g, m1, sd1);
    (sd1[0] > sd0[0] ? stronger : weaker)++;
  }
  EXPECT_GT(brighter, 0);
  EXPECT_GT(darker, 0);
  EXPECT_GT(stronger, 0);
  EXPECT_GT(weaker, 0);
}

TEST(Distortions, SaturationZeroIsGrey) {
  const cv::Mat out = rv::distort(image(), rv::Distortion::SaturationChange, 2, rv::DistortionSet::Tid2013, 0);
  std::vector<cv::Mat> ch;
  cv::split(out, ch);
  EXPECT_LE(cv::norm(ch[0], ch[1], cv::NORM_INF), 2.0);
  EXPECT_LE(cv::norm(ch[1], ch[2], cv::NORM_INF), 2.0);
}

TEST(Distortions, LadderRanksPristineHighest) {
  const auto ladder = rv::distortion_ladder(image(), rv::Distortion::GaussianBlur, rv::DistortionSet::Live, 5, 17);
  ASSERT_EQ(ladder.size(), 6u);
  EXPECT_EQ(cv::norm(ladder[0].image, image(), cv::NORM_INF), 0.0);
  for (size_t i = 0; i < ladder.size(); ++i) {
    EXPECT_EQ(ladder[i].group, 17);
    EXPECT_EQ(ladder[i].level, static_cast<int>(i));
    EXPECT_EQ(ladder[i].rank, 5 - static_cast<int>(i));
    EXPECT_EQ(ladder[i].type, rv::Distortion::GaussianBlur);
  }
  const cv::Mat direct = rv::distort(image(), rv::Distortion::GaussianBlur, 3, rv::DistortionSet::Live, 5);
  EXPECT_EQ(cv::norm(ladder[3].image, direct, cv::NORM_INF), 0.0);
}

TEST(Distortions, BadInputs) {
  const auto tid = rv::DistortionSet::Tid2013;
  EXPECT_THROW_MSG(rv::distort(image(), rv::Distortion::Jpeg, 5, tid, 0), rv::InputError, "level");
  EXPECT_THROW_MSG(rv::distort(image(), rv::Distortion::Jpeg, -1, tid, 0), rv::InputError, "level");
  EXPECT_NO_THROW(rv::distort(image(), rv::Distortion::Jpeg, 5, rv::DistortionSet::Live, 0));
  EXPECT_THROW_MSG(rv::distort(image(), rv::Distortion::MeanShift, 1, rv::DistortionSet::Live, 0), rv::InputError,
                   "live");
  EXPECT_THROW(rv::distort(cv::Mat(), rv::Distortion::Jpeg, 1, tid, 0), rv::InputError);
  cv::Mat grey(20, 20, CV_8UC1, cv::Scalar(3));
  EXPECT_THROW(rv::distort(grey, rv::Distortion::Jpeg, 1, tid, 0), rv::InputError);
  EXPECT_THROW(rv::distort(image(), static_cast<rv::Distortion>(3), 1, tid, 0), rv::InputError);
  EXPECT_EQ(cv::norm(rv::distort(image(), rv::Distortion::Jpeg, 0, tid, 0), image(), cv::NORM_INF), 0.0);
}

TEST(Distortions, TinyImagesDoNotBreak) {
  const cv::Mat tiny = rv_test::synthetic_image(9, 7);
  for (rv::Distortion type : rv::distortion_types(rv::DistortionSet::Tid2013)) {
    const cv::Mat out = rv::distort(tiny, type, 4, rv::DistortionSet::Tid2013, 3);
    EXPECT_EQ(out.size(), tiny.size()) << rv::distortion_name(type);
  }
}

}  // namespace
