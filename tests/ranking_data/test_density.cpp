#include <gtest/gtest.h>

#include "common/error.h"
#include "data/density_map.h"
#include "data/image_io.h"
#include "data/patch_sampler.h"
#include "data/tensor_convert.h"
#include "engine/engines.h"
#include "test_util.h"

namespace {

double total(const cv::Mat& m) { return cv::sum(m)[0]; }

rv::Points mixed_points() {
  // Interior, on and near every border and corner, and several outside.
  return {{50, 40},   {0, 0},     {119, 89},  {-0.4f, 30}, {119.4f, 10}, {60, 0.2f}, {3, 88},
          {-0.6f, 5}, {120, 50},  {30, -3},   {30, 95},    {1e6f, 1e6f}, {70, 45},   {71, 45}};
}

TEST(Density, FixedSumsToPointsInside) {
  const cv::Size size(120, 90);
  const auto pts = mixed_points();
  const size_t inside = rv::points_inside(pts, size).size();
  EXPECT_EQ(inside, 9u);  // counted by hand from the list above
  for (double sigma : {1.0, 4.0, 15.0, 40.0}) {
    const cv::Mat d = rv::density_map_fixed(size, pts, sigma);
    EXPECT_EQ(d.size(), size);
    EXPECT_NEAR(total(d), static_cast<double>(inside), 1e-3) << sigma;
    double lo;
    cv::minMaxLoc(d, &lo);
    EXPECT_GE(lo, 0.0);
  }
  // A corner point keeps its whole unit of mass, peaked at its pixel.
  const cv::Mat corner = rv::density_map_fixed(size, {{0, 0}}, 15.0);
  EXPECT_NEAR(total(corner), 1.0, 1e-4);
  cv::Point peak;
  cv::minMaxLoc(corner, nullptr, nullptr, nullptr, &peak);
  EXPECT_EQ(peak, cv::Point(0, 0));
  EXPECT_NEAR(total(rv::density_map_fixed(size, {}, 15.0)), 0.0, 1e-12);
  EXPECT_THROW(rv::density_map_fixed(size, pts, 0.0), rv::InputError);
  EXPECT_THROW(rv::density_map_fixed({0, 5}, pts), rv::InputError);
}

TEST(Density, FixedKernelShape) {
  // An interior point: the map is a Gaussian of the given sigma (check its variance).
  const cv::Mat d = rv::density_map_fixed({101, 101}, {{50, 50}}, 5.0);
  double var = 0;
  for (int y = 0; y < d.rows; ++y)
    for (int x = 0; x < d.cols; ++x) var += d.at<float>(y, x) * ((x - 50) * (x - 50));
  EXPECT_NEAR(var, 25.0, 0.7);  // truncation at 3 sigma lowers it slightly
}

TEST(Density, AdaptiveSigmasAndSum) {
  const rv::Points pts = {{10, 10}, {20, 10}, {10, 30}, {50, 50}};
  const auto sigmas = rv::adaptive_sigmas(pts, {});
  ASSERT_EQ(sigmas.size(), 4u);
  EXPECT_NEAR(sigmas[0], 0.3 * (10.0 + 20.0 + std::hypot(40.0, 40.0)) / 3.0, 1e-4);
  EXPECT_NEAR(sigmas[1], 0.3 * (10.0 + std::hypot(10.0, 20.0) + std::hypot(30.0, 40.0)) / 3.0, 1e-4);
  EXPECT_EQ(rv::adaptive_sigmas({{5, 5}}, {})[0], 15.0);
  rv::AdaptiveDensityOptions two;
  two.k = 1;
  EXPECT_NEAR(rv::adaptive_sigmas(pts, two)[3], 0.3 * std::hypot(40.0, 20.0), 1e-4);
  EXPECT_EQ(rv::adaptive_sigmas({{5, 5}, {5, 5}}, {})[0], 1.0);  // min_sigma

  const cv::Size size(120, 90);
  const auto mixed = mixed_points();
  const cv::Mat d = rv::density_map_adaptive(size, mixed);
  EXPECT_NEAR(total(d), 9.0, 1e-3);
}

TEST(Density, SumPoolPreservesTotal) {
  const cv::Mat d = rv::density_map_fixed({120, 90}, mixed_points(), 6.0);
  const cv::Mat p = rv::sum_pool(d, 16);
  EXPECT_EQ(p.size(), cv::Size(8, 6));  // ceil(120/16), ceil(90/16)
  EXPECT_NEAR(total(p), total(d), 1e-3);
  EXPECT_NEAR(p.at<float>(2, 3), total(d(cv::Rect(48, 32, 16, 16))), 1e-5);
  EXPECT_NEAR(p.at<float>(5, 7), total(d(cv::Rect(112, 80, 8, 10))), 1e-5);
  EXPECT_THROW(rv::sum_pool(d, 0), rv::InputError);
  const cv::Mat r = rv::resize_density(d, {37, 29});
  EXPECT_EQ(r.size(), cv::Size(37, 29));
  EXPECT_NEAR(total(r), total(d), 1e-3);
  EXPECT_NEAR(total(rv::resize_density(d, {300, 200})), total(d), 1e-3);
}

TEST(Patches, MultiScalePatchesKeepCounts) {
  const cv::Mat img = rv_test::synthetic_image(320, 240);
  rv::Points pts;
  std::mt19937 prng(3);
  for (int i = 0; i < 60; ++i) pts.emplace_back(static_cast<float>(prng() % 320), static_cast<float>(prng() % 240));
  const cv::Mat density = rv::density_map_fixed(img.size(), pts, 4.0);
  rv::PatchOptions o;
  o.out_size = 64;
  std::mt19937 rng(11);
  int smallest = 1 << 30, largest = 0;
  for (int i = 0; i < 40; ++i) {
    const auto patch = rv::sample_labelled_patch(img, pts, density, o, rng);
    const cv::Rect& r = patch.source;
    EXPECT_EQ(r.width, r.height);
    EXPECT_GE(r.width, 56);
    EXPECT_LE(r.width, 240);  // clamped to the shorter side
    EXPECT_EQ((r & cv::Rect(0, 0, 320, 240)), r);
    smallest = std::min(smallest, r.width);
    largest = std::max(largest, r.width);
    EXPECT_EQ(patch.image.size(), cv::Size(64, 64));
    EXPECT_EQ(patch.density.size(), cv::Size(64, 64));
    EXPECT_NEAR(total(patch.density), total(density(r)), 1e-3);
    size_t inside = 0;
    for (const auto& p : pts) inside += rv::point_inside({p.x - r.x, p.y - r.y}, r.size());
    EXPECT_EQ(patch.points.size(), inside);
    for (const auto& p : patch.points) EXPECT_TRUE(rv::point_inside(p, {64, 64})) << p;
  }
  EXPECT_LT(smallest, 110);  // the scales really vary
  EXPECT_GT(largest, 180);

  // An image smaller than min_size gives a patch of its shorter side.
  const cv::Mat small = rv_test::synthetic_image(40, 30);
  const auto patch = rv::sample_labelled_patch(small, {}, cv::Mat::zeros(30, 40, CV_32F), o, rng);
  EXPECT_EQ(patch.source.width, 30);
  EXPECT_THROW(rv::sample_labelled_patch(img, pts, cv::Mat::zeros(10, 10, CV_32F), o, rng), rv::InputError);
  EXPECT_THROW(rv::sample_patch_rect({10, 10}, {100, 50, 64}, rng), rv::InputError);
}

TEST(Patches, PointMapping) {
  // Crop (10, 20, 100×100) → 50×50: scale 0.5, pixel centres to pixel centres.
  const auto out = rv::crop_points({{10, 20}, {109, 119}, {59.5f, 69.5f}, {9, 20}, {110, 20}}, {10, 20, 100, 100}, 50);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].x, -0.25f);
  EXPECT_FLOAT_EQ(out[1].x, 49.25f);
  EXPECT_FLOAT_EQ(out[2].x, 24.5f);
  EXPECT_FLOAT_EQ(out[2].y, 24.5f);
}

TEST(Patches, ColorJitterFactors) {
  std::mt19937 rng(7), untouched(7);
  const rv::ColorJitter none = rv::draw_color_jitter(0.0, rng);
  EXPECT_EQ(none.saturation, 1.0);
  EXPECT_EQ(none.brightness, 1.0);
  EXPECT_EQ(rng(), untouched());  // strength 0 draws nothing: old seeds give old patches
  std::mt19937 a(3), b(3);
  bool moved = false;
  for (int i = 0; i < 50; ++i) {
    const rv::ColorJitter j = rv::draw_color_jitter(0.3, a), k = rv::draw_color_jitter(0.3, b);
    EXPECT_EQ(j.contrast, k.contrast);
    for (double f : {j.saturation, j.contrast, j.brightness}) {
      EXPECT_GE(f, 0.7);
      EXPECT_LE(f, 1.3);
      moved = moved || std::abs(f - 1.0) > 0.1;
    }
  }
  EXPECT_TRUE(moved);
  EXPECT_THROW(rv::draw_color_jitter(1.0, a), rv::InputError);
  EXPECT_THROW(rv::draw_color_jitter(-0.1, a), rv::InputError);
}

TEST(Patches, ColorJitterPixels) {
  cv::Mat img(4, 4, CV_8UC3, cv::Scalar(100, 100, 100));
  img(cv::Rect(0, 0, 2, 4)).setTo(cv::Scalar(80, 80, 80));  // grey mean 90
  cv::Mat same = img.clone();
  rv::apply_color_jitter(same, {});
  EXPECT_EQ(cv::norm(same, img, cv::NORM_INF), 0.0);
  cv::Mat c = img.clone();
  rv::apply_color_jitter(c, {1.0, 2.0, 1.0});  // contrast about the mean: 80 -> 70, 100 -> 110
  EXPECT_EQ(c.at<cv::Vec3b>(0, 0), cv::Vec3b(70, 70, 70));
  EXPECT_EQ(c.at<cv::Vec3b>(0, 3), cv::Vec3b(110, 110, 110));
  cv::Mat g = img.clone();
  rv::apply_color_jitter(g, {1.0, 1.0, 3.0});  // a gain, saturating at 255
  EXPECT_EQ(g.at<cv::Vec3b>(0, 0), cv::Vec3b(240, 240, 240));
  EXPECT_EQ(g.at<cv::Vec3b>(0, 3), cv::Vec3b(255, 255, 255));
  cv::Mat colour(2, 2, CV_8UC3, cv::Scalar(200, 100, 50));
  rv::apply_color_jitter(colour, {0.0, 1.0, 1.0});  // saturation 0: grey, B = G = R
  const cv::Vec3b p = colour.at<cv::Vec3b>(1, 1);
  EXPECT_EQ(p[0], p[1]);
  EXPECT_EQ(p[1], p[2]);
  EXPECT_NEAR(p[0], 0.114 * 200 + 0.587 * 100 + 0.299 * 50, 1.0);
  cv::Mat f(2, 2, CV_32FC3);
  EXPECT_THROW(rv::apply_color_jitter(f, {0.5, 1.0, 1.0}), rv::InputError);
}

TEST(TensorConvert, BgrToRgbFloat) {
  cv::Mat a(4, 5, CV_8UC3, cv::Scalar(10, 20, 30));
  a.at<cv::Vec3b>(3, 4) = cv::Vec3b(255, 0, 128);
  cv::Mat b(4, 5, CV_8UC3, cv::Scalar(0, 0, 255));
  const auto t = rv::images_to_tensor({a, b});
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(t.dtype(), torch::kFloat32);
  EXPECT_NEAR(t[0][0][0][0].item<float>(), 30 / 255.0, 1e-6);  // R
  EXPECT_NEAR(t[0][1][0][0].item<float>(), 20 / 255.0, 1e-6);  // G
  EXPECT_NEAR(t[0][2][0][0].item<float>(), 10 / 255.0, 1e-6);  // B
  EXPECT_NEAR(t[0][0][3][4].item<float>(), 128 / 255.0, 1e-6);
  EXPECT_NEAR(t[0][2][3][4].item<float>(), 1.0, 1e-6);
  EXPECT_NEAR(t[1][0][2][2].item<float>(), 1.0, 1e-6);
  EXPECT_NEAR(t[1][2][2][2].item<float>(), 0.0, 1e-6);
  EXPECT_EQ(cv::norm(rv::tensor_to_image(t[0]), a, cv::NORM_INF), 0.0);
  EXPECT_EQ(rv::image_to_tensor(a).sizes(), (std::vector<int64_t>{1, 3, 4, 5}));
  EXPECT_THROW_MSG(rv::images_to_tensor({a, cv::Mat(5, 5, CV_8UC3)}), rv::InputError, "batch[1]");
  EXPECT_THROW(rv::images_to_tensor({}), rv::InputError);
  EXPECT_THROW(rv::image_to_tensor(cv::Mat(4, 4, CV_32FC3)), rv::InputError);

  const cv::Mat d = rv::density_map_fixed({16, 12}, {{5, 5}}, 2.0);
  const auto dt = rv::densities_to_tensor({d, d * 2});
  ASSERT_EQ(dt.sizes(), (std::vector<int64_t>{2, 1, 12, 16}));
  EXPECT_NEAR(dt[1].sum().item<float>(), 2.0, 1e-4);
  EXPECT_EQ(cv::norm(rv::tensor_to_density(dt[0]), d, cv::NORM_INF), 0.0);
}

// The element must feed a model exactly the pixels training fed it: frame_to_tensor (engine) against
// resize_by + image_to_tensor (training), for packed BGR and padded RGBx frames at down, unit and up scales.
TEST(TensorConvert, EngineInputMatchesTrainingInput) {
  cv::Mat bgr(57, 77, CV_8UC3);
  cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(256));
  cv::Mat rgbx;
  cv::cvtColor(bgr, rgbx, cv::COLOR_BGR2RGBA);
  cv::Mat padded(rgbx.rows, rgbx.cols + 3, CV_8UC4, cv::Scalar::all(7));  // stride larger than a row
  rgbx.copyTo(padded(cv::Rect(0, 0, rgbx.cols, rgbx.rows)));
  for (const double scale : {0.375, 0.5, 1.0, 1.5}) {
    const auto expected = rv::image_to_tensor(rv::resize_by(bgr, scale));
    const rv::ImageView bgr_view{bgr.data, bgr.cols, bgr.rows, bgr.step[0], rv::PixelFormat::BGR};
    const rv::ImageView rgbx_view{padded.data, rgbx.cols, rgbx.rows, padded.step[0], rv::PixelFormat::RGBx};
    for (const auto& view : {bgr_view, rgbx_view}) {
      const auto got = rv::frame_to_tensor(view, scale, torch::kCPU);
      ASSERT_EQ(got.sizes(), expected.sizes()) << "scale " << scale;
      EXPECT_LT((got - expected).abs().max().item<float>(), 1e-6f) << "scale " << scale << " " << rv::to_string(view.format);
    }
  }
}

}  // namespace

// A counted-cells mask at a map's grid: nearest-neighbour, 0 and 1 whatever the non-zero value, an owned
// tensor (the cv::Mat it came from may go away); anything but CV_8U is refused.
TEST(TensorConvert, MaskToGrid) {
  cv::Mat mask(40, 80, CV_8U, cv::Scalar(0));
  mask(cv::Rect(0, 0, 40, 40)).setTo(255);
  mask(cv::Rect(40, 20, 40, 20)).setTo(7);
  torch::Tensor g;
  {
    const cv::Mat copy = mask.clone();
    g = rv::mask_to_grid(copy, 4, 8);
  }
  ASSERT_EQ(g.sizes(), (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(g.dtype(), torch::kFloat);
  EXPECT_FLOAT_EQ(g.sum().item<float>(), 16.f + 8.f);
  EXPECT_FLOAT_EQ(g[0][0].item<float>(), 1.f);
  EXPECT_FLOAT_EQ(g[0][7].item<float>(), 0.f);
  EXPECT_FLOAT_EQ(g[3][7].item<float>(), 1.f);
  EXPECT_THROW(rv::mask_to_grid(cv::Mat(4, 4, CV_32F, cv::Scalar(1)), 2, 2), rv::InputError);
  EXPECT_THROW(rv::mask_to_grid(cv::Mat(), 2, 2), rv::InputError);
}
