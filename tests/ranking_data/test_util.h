#pragma once
// Helpers shared by the ranking/data tests: a scratch folder removed on exit,
// a small natural-looking synthetic image, and an exception-message matcher.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace rv_test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("rv-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Gradients, a few filled shapes and fine texture: enough structure that blur,
// compression and noise all change it measurably.
inline cv::Mat synthetic_image(int width, int height, unsigned seed = 7) {
  cv::Mat img(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(40 + 150 * x / width),
                                          static_cast<uchar>(60 + 120 * y / height),
                                          static_cast<uchar>(200 - 140 * (x + y) / (width + height)));
  std::mt19937 rng(seed);
  for (int i = 0; i < 8; ++i) {
    const cv::Point c(static_cast<int>(rng() % width), static_cast<int>(rng() % height));
    const cv::Scalar colour(rng() % 256, rng() % 256, rng() % 256);
    if (i % 2) cv::circle(img, c, 5 + static_cast<int>(rng() % (width / 5 + 1)), colour, cv::FILLED, cv::LINE_AA);
    else cv::rectangle(img, cv::Rect(c.x, c.y, 8 + static_cast<int>(rng() % 40), 8 + static_cast<int>(rng() % 30)), colour, cv::FILLED);
  }
  // Texture: stripes and a checker patch.
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      auto& p = img.at<cv::Vec3b>(y, x);
      const int t = ((x / 3 + y / 5) % 2) * 18 - 9 + static_cast<int>((x * 7 + y * 13) % 11) - 5;
      for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uchar>(p[c] + t);
    }
  return img;
}

}  // namespace rv_test

// EXPECT that `stmt` throws ExceptionType whose message contains `needle`.
#define EXPECT_THROW_MSG(stmt, ExceptionType, needle)                                    \
  do {                                                                                   \
    try {                                                                                \
      stmt;                                                                              \
      ADD_FAILURE() << "no exception from " #stmt;                                       \
    } catch (const ExceptionType& e) {                                                   \
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)                   \
          << "message \"" << e.what() << "\" lacks \"" << (needle) << "\"";              \
    }                                                                                    \
  } while (0)
