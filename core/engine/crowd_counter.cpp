// CrowdCounter (whole frame or tiles, ROI mask) and count_in_polygon.
#include "engine/crowd_counter.h"

#include <algorithm>
#include <chrono>

#include "engine/device.h"
#include "engine/frame_tensor.h"
#include "engine/torch_thread.h"

namespace rv {

namespace {

// 1 for density cells whose centre lies inside the polygon (frame pixels):
// the region rule of common/polygon.h, which the trainer uses too.
torch::Tensor polygon_mask(int64_t h, int64_t w, double cell_w, double cell_h, const Polygon& poly) {
  std::vector<float> mask = polygon_cell_mask(static_cast<int>(h), static_cast<int>(w), cell_w, cell_h, poly);
  return torch::from_blob(mask.data(), {h, w}, torch::kFloat).clone();
}

}  // namespace

double count_in_polygon(const CountResult& result, const Polygon& polygon) {
  if (polygon.size() < 3 || !result.density.defined()) return 0.0;
  auto mask = polygon_mask(result.density.size(0), result.density.size(1), result.cell_width, result.cell_height,
                           polygon);
  return (result.density * mask).sum().item<double>();
}

std::unique_ptr<CrowdCounter> CrowdCounter::from_file(const std::string& path, EngineOptions options) {
  return std::make_unique<CrowdCounter>(load_bundle(path, Task::Count), std::move(options));
}

CountResult CrowdCounter::count(const ImageView& frame) {
  if (!device_.is_cpu()) return count_here(frame);
  CountResult result;
  run_on_torch_thread([&] { result = count_here(frame); });
  return result;
}

CountResult CrowdCounter::count_here(const ImageView& frame) {
  const auto start = std::chrono::steady_clock::now();
  auto model = model_.get();  // keeps this model alive even if set_model() runs meanwhile
  const BundleMeta& meta = model->meta;
  double scale = meta.input_scale;
  const int long_side = std::max(frame.width, frame.height);
  if (options_.max_input_size > 0 && long_side * scale > options_.max_input_size) {
    scale = static_cast<double>(options_.max_input_size) / long_side;
  }
  c10::InferenceMode guard;
  auto x = frame_to_tensor(frame, scale, device_);
  if (options_.fp16) x = x.to(torch::kHalf);
  const int64_t H = x.size(2), W = x.size(3);
  const int64_t tile = options_.tile_size;
  torch::Tensor density;
  if (H <= tile && W <= tile) {
    density = model->net->dense(x)[0][0];
  } else {
    // Tiles start on multiples of the stride, so their cells line up with the
    // whole-frame grid, and each is run with a halo wider than the trunk's
    // receptive-field radius, so the kept cells see exactly what they would see
    // in one pass over the whole frame.
    constexpr int64_t kHalo = 128;
    const int64_t stride = model->net->output_stride();
    std::vector<torch::Tensor> rows;
    for (int64_t y = 0; y < H; y += tile) {
      std::vector<torch::Tensor> cols;
      for (int64_t xo = 0; xo < W; xo += tile) {
        const int64_t y0 = std::max<int64_t>(0, y - kHalo), x0 = std::max<int64_t>(0, xo - kHalo);
        const int64_t y1 = std::min(H, y + tile + kHalo), x1 = std::min(W, xo + tile + kHalo);
        auto part = x.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(y0, y1),
                             torch::indexing::Slice(x0, x1)});
        auto d = model->net->dense(part)[0][0];
        const int64_t cy = (y - y0) / stride, cx = (xo - x0) / stride;
        const int64_t ny = (std::min(H, y + tile) - y + stride - 1) / stride;
        const int64_t nx = (std::min(W, xo + tile) - xo + stride - 1) / stride;
        cols.push_back(d.slice(0, cy, cy + ny).slice(1, cx, cx + nx));
      }
      rows.push_back(torch::cat(cols, 1));
    }
    density = torch::cat(rows, 0);
  }
  CountResult r;
  r.density = density.to(torch::kCPU, torch::kFloat).contiguous();
  const double stride = model->net->output_stride();
  // W network pixels span the frame's width, so one cell covers stride * width / W frame pixels.
  r.cell_width = stride * frame.width / static_cast<double>(W);
  r.cell_height = stride * frame.height / static_cast<double>(H);
  if (!meta.roi.empty()) {
    Polygon roi;
    for (const auto& [u, v] : meta.roi) roi.emplace_back(u * frame.width, v * frame.height);
    r.density.mul_(polygon_mask(r.density.size(0), r.density.size(1), r.cell_width, r.cell_height, roi));
  }
  r.count = r.density.sum().item<double>();
  r.inference_ms = elapsed_ms(start);
  return r;
}

}  // namespace rv
