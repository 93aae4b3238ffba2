// certainty_of_image: nested crops → one forward per crop → Eq. 15, checked
// with stand-in networks whose ordering of the crops is known.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include "active/image_certainty.h"
#include "common/error.h"

namespace {

// Scores an image by its mean brightness times `sign`.
class BrightnessNet : public rv::RankNet {
 public:
  explicit BrightnessNet(double sign) : sign_(sign) {}
  torch::Tensor dense(const torch::Tensor& images) override { return scalar(images).view({-1, 1, 1, 1}); }
  torch::Tensor scalar(const torch::Tensor& images) override {
    ++calls_images;
    images_seen += images.size(0);
    return sign_ * images.mean({1, 2, 3});
  }
  int output_stride() const override { return 1; }
  const rv::NetSpec& spec() const override { return spec_; }
  int64_t calls_images = 0;
  int64_t images_seen = 0;

 private:
  double sign_;
  rv::NetSpec spec_;
};

// Bright centre fading outwards: a crop nested inside another around an
// almost-central anchor is brighter on average.
cv::Mat radial_image(int size) {
  cv::Mat img(size, size, CV_8UC3);
  const double c = (size - 1) / 2.0;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double d = std::hypot(x - c, y - c) / (c * std::sqrt(2.0));
      const auto v = static_cast<uchar>(255.0 * (1.0 - d));
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
    }
  }
  return img;
}

rv::ImageCertaintyOptions small_options() {
  rv::ImageCertaintyOptions o;
  o.crops.out_size = 32;
  o.pairs = 25;  // k = 5 → 10 pairs per set → 3 sets, 15 crops
  o.batch_size = 4;
  return o;
}

TEST(ImageCertainty, KnownOrderings) {
  const auto image = radial_image(160);
  // Larger crops (higher rank) are darker: −brightness orders them correctly.
  BrightnessNet right(-1.0), wrong(+1.0);
  EXPECT_DOUBLE_EQ(rv::certainty_of_image(right, image, small_options(), 3), 1.0);
  EXPECT_DOUBLE_EQ(rv::certainty_of_image(wrong, image, small_options(), 3), 0.0);
  EXPECT_EQ(right.images_seen, 15) << "one forward per crop of 3 sets of 5";
  EXPECT_EQ(right.calls_images, 4) << "batches of 4";
}

TEST(ImageCertainty, RealNetworkIsDeterministicPerSeed) {
  torch::set_num_threads(1);  // tiny convolutions; OpenMP spinning on a busy machine costs seconds
  rv::NetSpec spec;
  spec.width = 0.125;
  auto net = rv::build_network(spec);
  net->eval();
  cv::Mat image(96, 128, CV_8UC3);
  cv::randu(image, 0, 255);
  const double a = rv::certainty_of_image(*net, image, small_options(), 9);
  const double b = rv::certainty_of_image(*net, image, small_options(), 9);
  EXPECT_GE(a, 0.0);
  EXPECT_LE(a, 1.0);
  EXPECT_EQ(a, b);
  // K = 25 pairs → C is a multiple of 1/25.
  EXPECT_NEAR(a * 25, std::round(a * 25), 1e-9);
  EXPECT_THROW(rv::certainty_of_image(*net, cv::Mat(), small_options(), 1), rv::InputError);
}

}  // namespace
