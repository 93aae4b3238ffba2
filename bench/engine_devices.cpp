// The engines on every device and precision this build and machine offer:
// frames per second of CrowdCounter and QualityScorer on CPU fp32, CUDA fp32
// and CUDA fp16, each against CPU fp32 measured in the same run, and how far
// the CUDA results are from the CPU ones on the same frame (the check that the
// CUDA path computes the same thing). One JSON object per line.
//
//   engine_devices [--width X] [--frames N] [--size WxH] [--input-scale X] [--threads N]
//
// The model is freshly initialised (vgg16 x width, batch norm, the density
// head's bias raised so counts are well away from zero): speed and agreement
// do not depend on trained weights. --width 1 is the paper's full network.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "bundle/bundle.h"
#include "engine/engines.h"

namespace {

struct Args {
  double width = 1.0;
  int frames = 20;
  int w = 768, h = 576;
  double input_scale = 1.0;
  int threads = 0;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "engine_devices: " << k << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--width") a.width = std::stod(next());
    else if (k == "--frames") a.frames = std::stoi(next());
    else if (k == "--input-scale") a.input_scale = std::stod(next());
    else if (k == "--threads") a.threads = std::stoi(next());
    else if (k == "--size") {
      const std::string v = next();
      if (std::sscanf(v.c_str(), "%dx%d", &a.w, &a.h) != 2 || a.w < 32 || a.h < 32) {
        std::cerr << "engine_devices: --size " << v << ": expected WxH, both >= 32\n";
        std::exit(2);
      }
    } else {
      std::cerr << "usage: engine_devices [--width X] [--frames N] [--size WxH] [--input-scale X] [--threads N]\n";
      std::exit(k == "-h" || k == "--help" ? 0 : 2);
    }
  }
  if (a.frames < 1) a.frames = 1;
  return a;
}

std::string write_model(rv::Task task, const Args& a, const std::string& path) {
  torch::manual_seed(7);
  rv::NetSpec spec;
  spec.task = task;
  spec.width = a.width;
  spec.batch_norm = true;
  auto bundle = rv::make_bundle(spec);
  bundle.meta.input_scale = a.input_scale;
  if (task == rv::Task::Count) {
    torch::NoGradGuard no_grad;
    for (auto& p : bundle.net->named_parameters())
      if (p.key() == "head.bias") p.value().fill_(0.05 * spec.density_scale);
  }
  rv::save_bundle(path, bundle);
  return path;
}

std::vector<uint8_t> make_frame(const Args& a) {
  std::vector<uint8_t> px(static_cast<size_t>(a.w) * a.h * 3);
  for (int y = 0; y < a.h; ++y)
    for (int x = 0; x < a.w; ++x)
      for (int c = 0; c < 3; ++c)
        px[(static_cast<size_t>(y) * a.w + x) * 3 + c] =
            static_cast<uint8_t>((x * (c + 1) + y * (3 - c) + ((x / 24 + y / 24) % 2) * 90) & 0xff);
  return px;
}

struct Config {
  std::string device;
  bool fp16;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (a.threads > 0) torch::set_num_threads(a.threads);
  char tmpl[] = "/tmp/rv-engine-devices-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("engine_devices: mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;
  const std::string count_model = write_model(rv::Task::Count, a, dir + "/count.rvm");
  const std::string quality_model = write_model(rv::Task::Quality, a, dir + "/quality.rvm");
  const auto pixels = make_frame(a);
  const rv::ImageView frame{pixels.data(), a.w, a.h, static_cast<size_t>(a.w) * 3, rv::PixelFormat::RGB};

  std::vector<Config> configs = {{"cpu", false}};
  const bool cuda = torch::cuda::is_available();
  if (cuda) configs.insert(configs.end(), {{"cuda", false}, {"cuda", true}});
  std::printf("{\"benchmark\": \"engine_devices\", \"cuda\": %s, \"width\": %g, \"frame\": \"%dx%d\", "
              "\"input_scale\": %g, \"frames\": %d}\n",
              cuda ? "true" : "false", a.width, a.w, a.h, a.input_scale, a.frames);

  double cpu_count_fps = 0, cpu_quality_fps = 0, cpu_count = 0, cpu_score = 0;
  for (const auto& c : configs) {
    rv::EngineOptions o;
    o.device = c.device;
    o.fp16 = c.fp16;
    auto counter = rv::CrowdCounter::from_file(count_model, o);
    auto scorer = rv::QualityScorer::from_file(quality_model, o);
    double count = 0, score = 0;
    for (int i = 0; i < 2; ++i) count = counter->count(frame).count, score = scorer->score(frame).score;  // warm-up
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < a.frames; ++i) count = counter->count(frame).count;
    const double count_fps = a.frames / seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < a.frames; ++i) score = scorer->score(frame).score;
    const double quality_fps = a.frames / seconds_since(t0);
    if (c.device == "cpu") cpu_count_fps = count_fps, cpu_quality_fps = quality_fps, cpu_count = count, cpu_score = score;
    std::printf("{\"device\": \"%s\", \"precision\": \"%s\", \"count_fps\": %.2f, \"count_speedup_vs_cpu\": %.2f, "
                "\"count\": %.4f, \"count_rel_diff_vs_cpu\": %.2e, \"quality_fps\": %.2f, "
                "\"quality_speedup_vs_cpu\": %.2f, \"score\": %.4f, \"score_diff_vs_cpu\": %.2e}\n",
                c.device.c_str(), c.fp16 ? "fp16" : "fp32", count_fps, count_fps / cpu_count_fps, count,
                std::abs(count - cpu_count) / std::max(1e-9, std::abs(cpu_count)), quality_fps,
                quality_fps / cpu_quality_fps, score, std::abs(score - cpu_score));
    std::fflush(stdout);
  }
  std::remove(count_model.c_str());
  std::remove(quality_model.c_str());
  rmdir(dir.c_str());
  return 0;
}
