#include <gtest/gtest.h>

#include "common/error.h"
#include "ranking/nested_crops.h"
#include "test_util.h"

namespace {

constexpr double kEps = 1e-9;

bool contains(const cv::Rect2d& outer, const cv::Rect2d& inner) {
  return inner.x >= outer.x - kEps && inner.y >= outer.y - kEps &&
         inner.x + inner.width <= outer.x + outer.width + kEps &&
         inner.y + inner.height <= outer.y + outer.height + kEps;
}

bool contains(const cv::Rect& outer, const cv::Rect& inner) { return (outer & inner) == inner; }

void check_set(cv::Size image, const rv::NestedCropOptions& o, unsigned seed) {
  std::mt19937 rng(seed);
  const auto rects = rv::nested_crop_rects(image, o, rng);
  ASSERT_EQ(static_cast<int>(rects.size()), o.k);
  const cv::Rect2d whole(0, 0, image.width, image.height);
  const cv::Rect2d region = rv::nested_crop_anchor_region(image, o.r);
  const cv::Point2d anchor(rects[0].x + rects[0].width / 2, rects[0].y + rects[0].height / 2);
  SCOPED_TRACE(::testing::Message() << image << " seed " << seed << " anchor " << anchor);
  // Anchor drawn from the anchor region: image/r, centred, same aspect.
  EXPECT_NEAR(region.width * o.r, image.width, 1e-9);
  EXPECT_NEAR(region.height * o.r, image.height, 1e-9);
  EXPECT_NEAR(region.x + region.width / 2, image.width / 2.0, 1e-9);
  EXPECT_GE(anchor.x, region.x - kEps);
  EXPECT_LE(anchor.x, region.x + region.width + kEps);
  EXPECT_GE(anchor.y, region.y - kEps);
  EXPECT_LE(anchor.y, region.y + region.height + kEps);
  // [0] is the largest square inside the image: it touches the nearest border.
  EXPECT_TRUE(contains(whole, rects[0]));
  const double nearest = std::min({anchor.x, image.width - anchor.x, anchor.y, image.height - anchor.y});
  EXPECT_NEAR(rects[0].width / 2, nearest, 1e-9);
  for (int i = 0; i < o.k; ++i) {
    EXPECT_NEAR(rects[i].width, rects[i].height, 1e-9);
    EXPECT_NEAR(rects[i].x + rects[i].width / 2, anchor.x, 1e-9);
    EXPECT_NEAR(rects[i].y + rects[i].height / 2, anchor.y, 1e-9);
    const cv::Rect px = rv::nested_crop_pixel_rect(rects[i], image);
    EXPECT_GE(px.width, 1);
    EXPECT_GE(px.height, 1);
    EXPECT_TRUE(contains(cv::Rect(0, 0, image.width, image.height), px)) << px;
    if (i > 0) {
      EXPECT_NEAR(rects[i].width, rects[i - 1].width * o.s, 1e-9);
      EXPECT_TRUE(contains(rects[i - 1], rects[i])) << i;
      const cv::Rect prev = rv::nested_crop_pixel_rect(rects[i - 1], image);
      EXPECT_TRUE(contains(prev, px)) << i << ": " << prev << " vs " << px;
    }
  }
}

TEST(NestedCrops, NestedForManySeedsAndShapes) {
  const cv::Size sizes[] = {{640, 480}, {480, 640}, {1000, 90}, {90, 1000}, {224, 224},
                            {17, 5},    {3, 3},     {1, 1},     {2, 7},     {1, 40}};
  rv::NestedCropOptions paper;  // k=5, s=0.75, r=8
  rv::NestedCropOptions deep{9, 0.5, 1.0, 32};
  rv::NestedCropOptions mid{3, 0.9, 2.5, 64};
  for (const auto& size : sizes)
    for (unsigned seed = 0; seed < 60; ++seed) {
      check_set(size, paper, seed);
      check_set(size, deep, seed);
      check_set(size, mid, seed);
    }
}

TEST(NestedCrops, DeterministicPerSeed) {
  std::mt19937 a(42), b(42), c(43);
  const auto ra = rv::nested_crop_rects({800, 600}, {}, a);
  const auto rb = rv::nested_crop_rects({800, 600}, {}, b);
  const auto rc = rv::nested_crop_rects({800, 600}, {}, c);
  ASSERT_EQ(ra.size(), rb.size());
  for (size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(ra[i], rb[i]);
  EXPECT_NE(ra[0], rc[0]);
}

TEST(NestedCrops, AnchorsSpreadOverTheRegion) {
  // With r = 1 the anchor region is the whole image: anchors must reach all four quadrants.
  rv::NestedCropOptions o;
  o.r = 1.0;
  int quadrant[4] = {0, 0, 0, 0};
  std::mt19937 rng(5);
  for (int i = 0; i < 200; ++i) {
    const auto r = rv::nested_crop_rects({100, 100}, o, rng);
    const double cx = r[0].x + r[0].width / 2, cy = r[0].y + r[0].height / 2;
    quadrant[(cx >= 50) + 2 * (cy >= 50)]++;
  }
  for (int q : quadrant) EXPECT_GT(q, 20);
}

TEST(NestedCrops, CropsShowTheAnchorAtTheirCentre) {
  // Pixel values encode position, so each resized crop's centre must show the anchor.
  const int w = 400, h = 300;
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 255 / (w - 1)), static_cast<uchar>(y * 255 / (h - 1)), 0);
  rv::NestedCropOptions o;
  o.out_size = 33;
  for (unsigned seed = 0; seed < 10; ++seed) {
    std::mt19937 r1(seed), r2(seed);
    const auto rects = rv::nested_crop_rects(img.size(), o, r1);
    const auto crops = rv::nested_crops(img, o, r2);
    ASSERT_EQ(crops.size(), 5u);
    const double ax = rects[0].x + rects[0].width / 2, ay = rects[0].y + rects[0].height / 2;
    for (size_t i = 0; i < crops.size(); ++i) {
      EXPECT_EQ(crops[i].size(), cv::Size(33, 33));
      EXPECT_EQ(crops[i].type(), CV_8UC3);
      const cv::Vec3b c = crops[i].at<cv::Vec3b>(16, 16);
      EXPECT_NEAR(c[0], ax * 255 / (w - 1), 3.0) << "crop " << i;
      EXPECT_NEAR(c[1], ay * 255 / (h - 1), 3.0) << "crop " << i;
      if (i > 0) {  // smaller crop = narrower value range (zoomed in)
        const double range_prev = crops[i - 1].at<cv::Vec3b>(16, 32)[0] - crops[i - 1].at<cv::Vec3b>(16, 0)[0];
        const double range = crops[i].at<cv::Vec3b>(16, 32)[0] - crops[i].at<cv::Vec3b>(16, 0)[0];
        EXPECT_LT(range, range_prev);
      }
    }
  }
}

TEST(NestedCrops, RanksLargestHighest) {
  EXPECT_EQ(rv::nested_crop_ranks(5), (std::vector<int>{4, 3, 2, 1, 0}));
  EXPECT_EQ(rv::nested_crop_rank(0, 3), 2);
  EXPECT_THROW(rv::nested_crop_rank(3, 3), rv::InputError);
}

TEST(NestedCrops, InvalidOptions) {
  std::mt19937 rng(1);
  EXPECT_THROW_MSG(rv::nested_crop_rects({10, 10}, {1, 0.75, 8, 224}, rng), rv::InputError, "k");
  EXPECT_THROW_MSG(rv::nested_crop_rects({10, 10}, {5, 1.0, 8, 224}, rng), rv::InputError, "s");
  EXPECT_THROW_MSG(rv::nested_crop_rects({10, 10}, {5, 0.0, 8, 224}, rng), rv::InputError, "s");
  EXPECT_THROW_MSG(rv::nested_crop_rects({10, 10}, {5, 0.75, 0.5, 224}, rng), rv::InputError, "r");
  EXPECT_THROW_MSG(rv::nested_crop_rects({10, 10}, {5, 0.75, 8, 0}, rng), rv::InputError, "out_size");
  EXPECT_THROW(rv::nested_crop_rects({0, 10}, {}, rng), rv::InputError);
  EXPECT_THROW(rv::nested_crops(cv::Mat(), {}, rng), rv::InputError);
}

}  // namespace
