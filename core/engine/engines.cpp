#include "engine/engines.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/error.h"
#include "rankvision_config.h"

#if RANKVISION_HAVE_OPENCV
#include <opencv2/imgproc.hpp>
#endif

namespace rv {

int bytes_per_pixel(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB:
    case PixelFormat::BGR:
      return 3;
    case PixelFormat::GRAY8:
      return 1;
    default:
      return 4;
  }
}

std::string to_string(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB: return "RGB";
    case PixelFormat::BGR: return "BGR";
    case PixelFormat::RGBx: return "RGBx";
    case PixelFormat::BGRx: return "BGRx";
    case PixelFormat::RGBA: return "RGBA";
    case PixelFormat::BGRA: return "BGRA";
    case PixelFormat::xRGB: return "xRGB";
    case PixelFormat::xBGR: return "xBGR";
    case PixelFormat::ARGB: return "ARGB";
    case PixelFormat::ABGR: return "ABGR";
    case PixelFormat::GRAY8: return "GRAY8";
  }
  return "?";
}

namespace {

// Byte offsets of R, G and B inside one pixel.
std::array<int64_t, 3> rgb_offsets(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGB:
    case PixelFormat::RGBx:
    case PixelFormat::RGBA: return {0, 1, 2};
    case PixelFormat::BGR:
    case PixelFormat::BGRx:
    case PixelFormat::BGRA: return {2, 1, 0};
    case PixelFormat::xRGB:
    case PixelFormat::ARGB: return {1, 2, 3};
    case PixelFormat::xBGR:
    case PixelFormat::ABGR: return {3, 2, 1};
    case PixelFormat::GRAY8: return {0, 0, 0};
  }
  return {0, 1, 2};
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

void check_frame(const ImageView& f) {
  if (f.data == nullptr || f.width <= 0 || f.height <= 0) throw Error("empty frame");
  if (f.stride < static_cast<size_t>(f.width) * bytes_per_pixel(f.format)) {
    throw Error("frame stride " + std::to_string(f.stride) + " is smaller than a row of " + std::to_string(f.width) +
                " " + to_string(f.format) + " pixels");
  }
}

bool point_in_polygon(double x, double y, const Polygon& poly) {
  bool inside = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const auto [xi, yi] = poly[i];
    const auto [xj, yj] = poly[j];
    if (((yi > y) != (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) inside = !inside;
  }
  return inside;
}

// 1 for density cells whose centre lies inside the polygon (frame pixels).
torch::Tensor polygon_mask(int64_t h, int64_t w, double cell_w, double cell_h, const Polygon& poly) {
  auto mask = torch::zeros({h, w}, torch::kFloat);
  auto acc = mask.accessor<float, 2>();
  for (int64_t i = 0; i < h; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      if (point_in_polygon((j + 0.5) * cell_w, (i + 0.5) * cell_h, poly)) acc[i][j] = 1.f;
    }
  }
  return mask;
}

void prepare_net(const RankNetPtr& net, const torch::Device& device, bool fp16) {
  net->eval();
  net->to(device);
  if (fp16) net->to(torch::kHalf);
}

torch::Device checked_device(const EngineOptions& options) {
  auto device = parse_device(options.device);
  if (options.fp16 && !device.is_cuda()) {
    throw Error("precision fp16 needs a CUDA device (device is '" + options.device + "')");
  }
  if (options.num_threads < 0) throw Error("num-threads must be >= 0");
  if (options.num_threads > 0) torch::set_num_threads(options.num_threads);
  if (options.max_input_size < 0) throw Error("max-input-size must be >= 0");
  if (options.tile_size < 64 || options.tile_size % 16 != 0) throw Error("tile size must be a multiple of 16, >= 64");
  if (options.quality_crops < 1) throw Error("quality crops must be >= 1");
  return device;
}

}  // namespace

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    int index = 0;
    if (name.size() > 4) {
      if (name[4] != ':' || name.size() == 5 ||
          name.find_first_not_of("0123456789", 5) != std::string::npos) {
        throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
      }
      index = std::stoi(name.substr(5));
    }
    if (!torch::cuda::is_available()) {
      throw Error("device '" + name + "': CUDA is not available (this LibTorch has no CUDA, or no GPU is visible)");
    }
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      throw Error("device '" + name + "': only " + std::to_string(torch::cuda::device_count()) + " CUDA devices");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
}

torch::Tensor frame_to_tensor(const ImageView& frame, double scale, const torch::Device& device) {
  check_frame(frame);
  const int64_t bpp = bytes_per_pixel(frame.format);
  const bool resize = std::abs(scale - 1.0) > 1e-9;
  const int64_t h = resize ? std::max<int64_t>(1, std::lround(frame.height * scale)) : frame.height;
  const int64_t w = resize ? std::max<int64_t>(1, std::lround(frame.width * scale)) : frame.width;
  const auto off = rgb_offsets(frame.format);
  auto index = torch::tensor({off[0], off[1], off[2]}, torch::kLong);
#if RANKVISION_HAVE_OPENCV
  // Resize the 8-bit frame exactly as training does (core/train/count_data.cpp resize_by: cv::resize,
  // INTER_AREA down, INTER_LINEAR up), so a model sees the same pixels in the element as in training.
  const cv::Mat view(static_cast<int>(frame.height), static_cast<int>(frame.width),
                     CV_8UC(static_cast<int>(bpp)), const_cast<uint8_t*>(frame.data), frame.stride);
  cv::Mat scaled = view;
  if (resize) {
    cv::resize(view, scaled, cv::Size(static_cast<int>(w), static_cast<int>(h)), 0, 0,
               scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  auto raw = torch::from_blob(scaled.data, {h, w, bpp}, {static_cast<int64_t>(scaled.step[0]), bpp, 1}, torch::kUInt8);
  const bool resize_tensor = false;
#else
  auto raw = torch::from_blob(const_cast<uint8_t*>(frame.data), {frame.height, frame.width, bpp},
                              {static_cast<int64_t>(frame.stride), bpp, 1}, torch::kUInt8);
  const bool resize_tensor = resize;
#endif
  // [H,W,3] uint8 → device → [1,3,H,W] float 0..1. index_select copies, so neither the frame nor a
  // resized copy of it is referenced afterwards.
  auto rgb = raw.index_select(2, index).to(device).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat).div_(255.0);
  if (resize_tensor) {
    // Without OpenCV (GPU-only builds) torch's area mode is the nearest match to training's INTER_AREA;
    // it differs slightly at non-integer scales.
    namespace F = torch::nn::functional;
    auto opts = F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w});
    if (scale < 1.0) {
      opts.mode(torch::kArea);
    } else {
      opts.mode(torch::kBilinear).align_corners(false);
    }
    rgb = F::interpolate(rgb, opts);
  }
  return rgb.contiguous();
}

double count_in_polygon(const CountResult& result, const Polygon& polygon) {
  if (polygon.size() < 3 || !result.density.defined()) return 0.0;
  auto mask = polygon_mask(result.density.size(0), result.density.size(1), result.cell_width, result.cell_height,
                           polygon);
  return (result.density * mask).sum().item<double>();
}

// ---------------------------------------------------------------------------
// ModelSlot

void ModelSlot::set(ModelBundle bundle, const torch::Device& device, bool fp16) {
  if (!bundle.net) throw Error(std::string(engine_) + ": bundle has no network");
  if (bundle.meta.spec.task != task_) {
    throw InputError((bundle.path.empty() ? std::string("model") : bundle.path) + ": is a " +
                     to_string(bundle.meta.spec.task) + " model, but a " + to_string(task_) + " model is needed");
  }
  prepare_net(bundle.net, device, fp16);
  auto shared = std::make_shared<const ModelBundle>(std::move(bundle));
  std::lock_guard<std::mutex> lock(mutex_);
  bundle_ = std::move(shared);
}

std::shared_ptr<const ModelBundle> ModelSlot::get() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bundle_;
}

// ---------------------------------------------------------------------------
// CrowdCounter

CrowdCounter::CrowdCounter(ModelBundle bundle, EngineOptions options)
    : options_(std::move(options)), device_(checked_device(options_)), model_(Task::Count, "CrowdCounter") {
  set_model(std::move(bundle));
}

std::unique_ptr<CrowdCounter> CrowdCounter::from_file(const std::string& path, EngineOptions options) {
  return std::make_unique<CrowdCounter>(load_bundle(path, Task::Count), std::move(options));
}

void CrowdCounter::set_model(ModelBundle bundle) { model_.set(std::move(bundle), device_, options_.fp16); }

BundleMeta CrowdCounter::meta() const { return model_.get()->meta; }

CountResult CrowdCounter::count(const ImageView& frame) {
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

// ---------------------------------------------------------------------------
// QualityScorer

QualityScorer::QualityScorer(ModelBundle bundle, EngineOptions options)
    : options_(std::move(options)), device_(checked_device(options_)), model_(Task::Quality, "QualityScorer") {
  set_model(std::move(bundle));
}

std::unique_ptr<QualityScorer> QualityScorer::from_file(const std::string& path, EngineOptions options) {
  return std::make_unique<QualityScorer>(load_bundle(path, Task::Quality), std::move(options));
}

void QualityScorer::set_model(ModelBundle bundle) { model_.set(std::move(bundle), device_, options_.fp16); }

BundleMeta QualityScorer::meta() const { return model_.get()->meta; }

QualityResult QualityScorer::score(const ImageView& frame) {
  const auto start = std::chrono::steady_clock::now();
  auto model = model_.get();
  constexpr int64_t kCrop = 224;
  double scale = 1.0;
  const int long_side = std::max(frame.width, frame.height);
  if (options_.max_input_size > 0 && long_side > options_.max_input_size) {
    scale = static_cast<double>(options_.max_input_size) / long_side;
  }
  // Crops are taken at native resolution (the paper avoids rescaling artefacts);
  // only frames smaller than a crop are enlarged.
  const int short_side = std::min(frame.width, frame.height);
  if (short_side * scale < kCrop) scale = static_cast<double>(kCrop) / short_side;
  c10::InferenceMode guard;
  auto x = frame_to_tensor(frame, scale, device_);
  if (options_.fp16) x = x.to(torch::kHalf);
  const int64_t H = x.size(2), W = x.size(3);
  const int64_t my = H - kCrop, mx = W - kCrop;
  // Centre, then the four corners, then an even grid for more crops.
  std::vector<std::pair<int64_t, int64_t>> origins = {{my / 2, mx / 2}, {0, 0}, {0, mx}, {my, 0}, {my, mx}};
  const int n = options_.quality_crops;
  const int g = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  for (int i = 0; static_cast<int>(origins.size()) < n && i < g * g; ++i) {
    origins.emplace_back(g > 1 ? my * (i / g) / (g - 1) : 0, g > 1 ? mx * (i % g) / (g - 1) : 0);
  }
  origins.resize(std::min<size_t>(origins.size(), static_cast<size_t>(n)));
  std::vector<torch::Tensor> crops;
  for (const auto& [oy, ox] : origins) {
    crops.push_back(x.index({0, torch::indexing::Slice(), torch::indexing::Slice(oy, oy + kCrop),
                             torch::indexing::Slice(ox, ox + kCrop)}));
  }
  auto raw = model->net->scalar(torch::stack(crops)).to(torch::kCPU, torch::kDouble);
  QualityResult r;
  r.raw = raw.mean().item<double>();
  r.score = model->meta.quality_score(r.raw);
  r.inference_ms = elapsed_ms(start);
  return r;
}

}  // namespace rv
