#include "data/tensor_convert.h"

#include <opencv2/imgproc.hpp>

#include "common/error.h"

namespace rv {

namespace {

// [3, H, W] float RGB in 0..1 from BGR/gray 8-bit, written into `out`.
void fill_image(const cv::Mat& img, torch::Tensor out, const std::string& what) {
  cv::Mat bgr;
  if (img.type() == CV_8UC3) bgr = img;
  else if (img.type() == CV_8UC1) cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
  else throw_input_error(what, "expected an 8-bit BGR (CV_8UC3) or gray image");
  cv::Mat rgb_f;
  cv::cvtColor(bgr, rgb_f, cv::COLOR_BGR2RGB);
  rgb_f.convertTo(rgb_f, CV_32FC3, 1.0 / 255.0);
  // HWC (contiguous) → CHW.
  const auto hwc = torch::from_blob(rgb_f.data, {rgb_f.rows, rgb_f.cols, 3}, torch::kFloat32);
  out.copy_(hwc.permute({2, 0, 1}));
}

}  // namespace

torch::Tensor image_to_tensor(const cv::Mat& bgr8) { return images_to_tensor({bgr8}); }

torch::Tensor images_to_tensor(const std::vector<cv::Mat>& images) {
  if (images.empty()) throw_input_error("image batch", "empty");
  const cv::Size size = images[0].size();
  if (images[0].empty()) throw_input_error("image batch[0]", "empty image");
  auto batch = torch::empty({static_cast<long>(images.size()), 3, size.height, size.width}, torch::kFloat32);
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string what = "image batch[" + std::to_string(i) + "]";
    if (images[i].size() != size)
      throw_input_error(what, "size " + std::to_string(images[i].cols) + "x" + std::to_string(images[i].rows) +
                                  " differs from the batch's " + std::to_string(size.width) + "x" +
                                  std::to_string(size.height));
    fill_image(images[i], batch[static_cast<long>(i)], what);
  }
  return batch;
}

torch::Tensor densities_to_tensor(const std::vector<cv::Mat>& maps) {
  if (maps.empty()) throw_input_error("density batch", "empty");
  const cv::Size size = maps[0].size();
  auto batch = torch::empty({static_cast<long>(maps.size()), 1, size.height, size.width}, torch::kFloat32);
  for (size_t i = 0; i < maps.size(); ++i) {
    const std::string what = "density batch[" + std::to_string(i) + "]";
    if (maps[i].type() != CV_32F || maps[i].empty()) throw_input_error(what, "expected a non-empty CV_32F map");
    if (maps[i].size() != size) throw_input_error(what, "size differs from the batch's");
    const cv::Mat m = maps[i].isContinuous() ? maps[i] : maps[i].clone();
    batch[static_cast<long>(i)][0].copy_(torch::from_blob(m.data, {m.rows, m.cols}, torch::kFloat32));
  }
  return batch;
}

cv::Mat tensor_to_image(const torch::Tensor& rgb) {
  torch::Tensor t = rgb.detach().to(torch::kCPU, torch::kFloat32);
  if (t.dim() == 4 && t.size(0) == 1) t = t[0];
  if (t.dim() != 3 || t.size(0) != 3) throw_input_error("tensor_to_image", "expected [3,H,W] or [1,3,H,W]");
  t = (t.clamp(0, 1) * 255.0).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  cv::Mat rgb8(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC3, t.data_ptr());
  cv::Mat bgr;
  cv::cvtColor(rgb8, bgr, cv::COLOR_RGB2BGR);  // copies out of the tensor
  return bgr;
}

cv::Mat tensor_to_density(const torch::Tensor& map) {
  torch::Tensor t = map.detach().to(torch::kCPU, torch::kFloat32);
  while (t.dim() > 2 && t.size(0) == 1) t = t[0];
  if (t.dim() != 2) throw_input_error("tensor_to_density", "expected [h,w], [1,h,w] or [1,1,h,w]");
  t = t.contiguous();
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_32F, t.data_ptr()).clone();
}

torch::Tensor mask_to_grid(const cv::Mat& mask8, int64_t rows, int64_t cols) {
  if (mask8.empty() || mask8.type() != CV_8UC1) throw InputError("mask_to_grid: the mask must be a CV_8U image");
  cv::Mat m;
  cv::resize(mask8, m, cv::Size(static_cast<int>(cols), static_cast<int>(rows)), 0, 0, cv::INTER_NEAREST);
  cv::Mat ones = (m > 0) / 255;
  ones.convertTo(m, CV_32F);
  return torch::from_blob(m.data, {m.rows, m.cols}, torch::kFloat).clone();
}

}  // namespace rv
