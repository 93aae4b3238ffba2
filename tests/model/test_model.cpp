// Networks, model bundles and the inference engines.
#include <gtest/gtest.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <torch/torch.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "bundle/bundle.h"
#include "common/error.h"
#include "engine/engines.h"
#include "engine/cpu_threads.h"
#include "engine/malloc_tuning.h"
#include "engine/torch_thread.h"
#include "model/density_net.h"
#include "model/quality_net.h"
#include "model/vgg.h"

namespace fs = std::filesystem;
using namespace rv;

namespace {

NetSpec tiny(Task task) {
  NetSpec s;
  s.task = task;
  s.width = 0.125;
  return s;
}

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("rv-model-test-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// A deterministic packed RGB frame.
std::vector<uint8_t> make_rgb(int w, int h, int seed = 1) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        px[(static_cast<size_t>(y) * w + x) * 3 + c] =
            static_cast<uint8_t>((x * (3 + c) + y * (5 + seed) + ((x / 7 + y / 5) % 3) * 60 + seed * 17) % 256);
  return px;
}

}  // namespace

TEST(Networks, DensityNetShapesAndCount) {
  torch::manual_seed(0);
  auto net = build_network(tiny(Task::Count));
  net->eval();
  auto x = torch::rand({2, 3, 64, 48});
  auto d = net->dense(x);
  EXPECT_EQ(d.sizes(), (std::vector<int64_t>{2, 1, 4, 3}));
  EXPECT_EQ(net->output_stride(), 16);
  auto s = net->scalar(x);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{2}));
  EXPECT_NEAR(s[1].item<double>(), d[1].sum().item<double>(), 1e-5);
  // Odd sizes round up (ceil-mode pooling), so every input pixel is covered.
  EXPECT_EQ(net->dense(torch::rand({1, 3, 50, 33})).sizes(), (std::vector<int64_t>{1, 1, 4, 3}));
}

TEST(Networks, FullWidthMatchesPaperChannels) {
  DensityNet full(NetSpec{});
  int convs = 0;
  for (const auto& m : full.trunk()->children()) {
    if (auto* c = m->as<torch::nn::Conv2d>()) {
      EXPECT_EQ(c->options.out_channels(), vgg16_channels()[convs]);
      ++convs;
    }
  }
  EXPECT_EQ(convs, 13);
  EXPECT_EQ(scaled_channels(512, 0.25), 128);
  EXPECT_EQ(scaled_channels(64, 0.125), 8);
}

TEST(Networks, QualityNetOneScorePerImage) {
  auto net = build_network(tiny(Task::Quality));
  net->eval();
  auto x = torch::rand({3, 3, 64, 64});
  EXPECT_EQ(net->scalar(x).sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(net->dense(x).sizes(), (std::vector<int64_t>{3, 1, 1, 1}));
}

TEST(Networks, RegistryRejectsUnknownArchAndWidth) {
  NetSpec s = tiny(Task::Count);
  s.arch = "resnet9000";
  EXPECT_NE(error_of([&] { build_network(s); }).find("resnet9000"), std::string::npos);
  s = tiny(Task::Count);
  s.width = -1;
  EXPECT_NE(error_of([&] { build_network(s); }).find("width"), std::string::npos);
  EXPECT_THROW(task_from_string("density"), InputError);
}

TEST(Bundle, RoundTripKeepsWeightsAndMetadata) {
  torch::manual_seed(3);
  auto b = make_bundle(tiny(Task::Count));
  b.meta.input_scale = 0.5;
  b.meta.roi = {{0.1, 0.1}, {0.9, 0.1}, {0.5, 0.9}};
  b.meta.provenance = {{"iterations", 42}, {"data", "unit test"}};
  const auto path = (temp_dir() / "roundtrip.rvm").string();
  save_bundle(path, b);
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
  auto loaded = load_bundle(path, Task::Count);
  EXPECT_EQ(loaded.path, path);
  EXPECT_DOUBLE_EQ(loaded.meta.input_scale, 0.5);
  ASSERT_EQ(loaded.meta.roi.size(), 3u);
  EXPECT_DOUBLE_EQ(loaded.meta.roi[2].second, 0.9);
  EXPECT_EQ(loaded.meta.provenance["iterations"], 42);
  EXPECT_DOUBLE_EQ(loaded.meta.spec.width, 0.125);
  b.net->eval();
  auto x = torch::rand({1, 3, 48, 48});
  EXPECT_TRUE(torch::allclose(b.net->dense(x), loaded.net->dense(x), 1e-6, 1e-7));
  EXPECT_EQ(read_bundle_meta(path).spec.task, Task::Count);
  // A quality model keeps its training crop size; files without one mean 224; nonsense is refused.
  auto q = make_bundle(tiny(Task::Quality));
  q.meta.quality_crop = 320;
  const auto qpath = (temp_dir() / "roundtrip-quality.rvm").string();
  save_bundle(qpath, q);
  EXPECT_EQ(load_bundle(qpath, Task::Quality).meta.quality_crop, 320);
  auto j = q.meta.to_json();
  j["score"].erase("crop");
  EXPECT_EQ(BundleMeta::from_json(j, "no-crop").quality_crop, 224);
  j["score"]["crop"] = 3;
  EXPECT_NE(error_of([&] { BundleMeta::from_json(j, "tiny-crop.rvm"); }).find("tiny-crop.rvm"), std::string::npos);
}

TEST(Bundle, BadFilesNameTheFileAndTheReason) {
  const auto dir = temp_dir();
  const auto good = (dir / "good.rvm").string();
  save_bundle(good, make_bundle(tiny(Task::Quality)));

  const auto missing = (dir / "nope.rvm").string();
  auto e = error_of([&] { load_bundle(missing); });
  EXPECT_NE(e.find(missing), std::string::npos) << e;
  EXPECT_NE(e.find("not found"), std::string::npos) << e;

  const auto garbage = (dir / "garbage.rvm").string();
  std::ofstream(garbage) << "this is not a model at all";
  e = error_of([&] { load_bundle(garbage); });
  EXPECT_NE(e.find(garbage), std::string::npos) << e;
  EXPECT_NE(e.find("not a rankvision model"), std::string::npos) << e;

  // Truncated: the weights are cut.
  const auto cut = (dir / "cut.rvm").string();
  fs::copy_file(good, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(good) - 100);
  e = error_of([&] { load_bundle(cut); });
  EXPECT_NE(e.find(cut), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;

  // Corrupt weights of the right length.
  const auto flipped = (dir / "flipped.rvm").string();
  fs::copy_file(good, flipped, fs::copy_options::overwrite_existing);
  {
    std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
    const auto size = static_cast<std::streamoff>(fs::file_size(flipped));
    f.seekp(size - 3000);
    std::string junk(2000, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  e = error_of([&] { load_bundle(flipped); });
  EXPECT_NE(e.find(flipped), std::string::npos) << e;
  EXPECT_NE(e.find("checksum mismatch"), std::string::npos) << e;

  // One bit of the metadata flipped in place: still valid JSON, caught by the checksum.
  const auto meta_bit = (dir / "meta-bit.rvm").string();
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = bytes.find("\"input_scale\": 1.0");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 15] = '2';  // input_scale 2.0
    std::ofstream(meta_bit, std::ios::binary) << bytes;
  }
  e = error_of([&] { load_bundle(meta_bit); });
  EXPECT_NE(e.find("checksum mismatch"), std::string::npos) << e;

  // Bytes after the checksum.
  const auto trailing = (dir / "trailing.rvm").string();
  fs::copy_file(good, trailing, fs::copy_options::overwrite_existing);
  std::ofstream(trailing, std::ios::binary | std::ios::app) << "xyz";
  e = error_of([&] { load_bundle(trailing); });
  EXPECT_NE(e.find("unexpected bytes"), std::string::npos) << e;

  // Wrong task.
  e = error_of([&] { load_bundle(good, Task::Count); });
  EXPECT_NE(e.find(good), std::string::npos) << e;
  EXPECT_NE(e.find("quality model"), std::string::npos) << e;
  EXPECT_THROW(CrowdCounter::from_file(good), InputError);
}

// Format 1 (before the checksum): the same container without the last 4 bytes.
TEST(Bundle, FormatOneLoadsOnlyWhenTheCallerAcceptsIt) {
  const auto dir = temp_dir();
  torch::manual_seed(5);
  auto b = make_bundle(tiny(Task::Count));
  const auto v2 = (dir / "v2.rvm").string();
  save_bundle(v2, b);
  EXPECT_EQ(read_bundle_meta(v2).format_version, 2);
  const auto v1 = (dir / "v1.rvm").string();
  {
    std::ifstream in(v2, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() - 4);
    bytes[8] = 1;  // u32 version, little endian
    std::ofstream(v1, std::ios::binary) << bytes;
  }
  EXPECT_EQ(read_bundle_meta(v1).format_version, 1);
  const auto e = error_of([&] { load_bundle(v1); });
  EXPECT_NE(e.find(v1), std::string::npos) << e;
  EXPECT_NE(e.find("no checksum"), std::string::npos) << e;
  EXPECT_NE(e.find("--upgrade"), std::string::npos) << e;
  auto old = load_bundle(v1, Task::Count, LegacyFormat::Accept);
  EXPECT_EQ(old.meta.format_version, 1);
  b.net->eval();
  auto x = torch::rand({1, 3, 32, 32});
  EXPECT_TRUE(torch::allclose(b.net->dense(x), old.net->dense(x), 1e-6, 1e-7));
}

TEST(Bundle, BlendAveragesWeightsAndRefusesMismatches) {
  torch::manual_seed(7);
  auto a = make_bundle(tiny(Task::Count));
  auto b = make_bundle(tiny(Task::Count));
  a.meta.input_scale = 0.625;
  for (double t : {0.0, 0.25, 1.0}) {
    auto c = blend_bundles(a, b, t);
    EXPECT_DOUBLE_EQ(c.meta.input_scale, 0.625);  // the first model's metadata
    auto pa = a.net->named_parameters(), pb = b.net->named_parameters(), pc = c.net->named_parameters();
    ASSERT_EQ(pc.size(), pa.size());
    for (const auto& p : pc) {
      const auto want = pa[p.key()] * (1.0 - t) + pb[p.key()] * t;
      EXPECT_TRUE(torch::allclose(p.value(), want, 1e-6, 1e-7)) << p.key() << " at t=" << t;
    }
  }
  // t = 0 is the first network itself
  auto x = torch::rand({1, 3, 32, 32});
  a.net->eval();
  EXPECT_TRUE(torch::allclose(blend_bundles(a, b, 0.0).net->dense(x), a.net->dense(x), 1e-5, 1e-6));

  EXPECT_NE(error_of([&] { blend_bundles(a, b, 1.5); }).find("outside"), std::string::npos);
  auto q = make_bundle(tiny(Task::Quality));
  EXPECT_NE(error_of([&] { blend_bundles(a, q, 0.5); }).find("task differs"), std::string::npos);
  auto wide_spec = tiny(Task::Count);
  wide_spec.width = 0.25;
  auto wide = make_bundle(wide_spec);
  EXPECT_NE(error_of([&] { blend_bundles(a, wide, 0.5); }).find("width differs"), std::string::npos);
  auto scaled = make_bundle(tiny(Task::Count));
  scaled.meta.spec.density_scale = 50.0;
  EXPECT_NE(error_of([&] { blend_bundles(a, scaled, 0.5); }).find("density scale"), std::string::npos);
  // a scale equal up to rounding (info --scale-counts K to match another model) blends
  auto rounded = make_bundle(tiny(Task::Count));
  rounded.meta.spec.density_scale = a.meta.spec.density_scale / 1.1229 * 1.1229;
  rounded.meta.spec.density_scale *= 1 + 1e-7;  // K typed from 6 printed digits
  EXPECT_NO_THROW(blend_bundles(a, rounded, 0.5));
}

TEST(Bundle, LayerWiseBlendKeepsTheFirstConvolutions) {
  torch::manual_seed(11);
  auto a = make_bundle(tiny(Task::Count));
  auto b = make_bundle(tiny(Task::Count));
  const double t = 0.75;
  auto c = blend_bundles(a, b, t, 2);
  auto pa = a.net->named_parameters(), pb = b.net->named_parameters();
  int convs = 0, kept = 0, mixed = 0;
  for (const auto& p : c.net->named_parameters()) {
    const bool trunk = p.key().rfind("trunk.", 0) == 0;
    if (trunk && p.value().dim() == 4) ++convs;
    const bool keep = trunk && convs <= 2;
    const auto want = keep ? pa[p.key()] : pa[p.key()] * (1.0 - t) + pb[p.key()] * t;
    EXPECT_TRUE(torch::allclose(p.value(), want, 1e-6, 1e-7)) << p.key() << (keep ? " (kept)" : " (blended)");
    ++(keep ? kept : mixed);
  }
  EXPECT_EQ(kept, 4);  // two convolutions' weights and biases
  EXPECT_GT(mixed, 4);
  // 0 is the whole blend; past the last convolution and batch-norm networks are refused
  auto whole = blend_bundles(a, b, t, 0), plain = blend_bundles(a, b, t);
  for (const auto& p : whole.net->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), plain.net->named_parameters()[p.key()])) << p.key();
  EXPECT_NE(error_of([&] { blend_bundles(a, b, t, 1000); }).find("the trunk has " + std::to_string(convs) + " convolutions"),
            std::string::npos);
  auto bn_spec = tiny(Task::Count);
  bn_spec.batch_norm = true;
  auto bn_a = make_bundle(bn_spec), bn_b = make_bundle(bn_spec);
  EXPECT_NE(error_of([&] { blend_bundles(bn_a, bn_b, t, 1); }).find("batch-norm"), std::string::npos);
  EXPECT_NO_THROW(blend_bundles(bn_a, bn_b, t));
}

TEST(Bundle, WeightsThatDoNotFitTheArchitectureAreRejected) {
  const auto dir = temp_dir();
  auto b = make_bundle(tiny(Task::Count));
  b.meta.spec.width = 0.25;  // metadata lies about the width
  const auto path = (dir / "lying.rvm").string();
  save_bundle(path, b);
  const auto e = error_of([&] { load_bundle(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("do not fit"), std::string::npos) << e;
}

TEST(Engine, CountEqualsNetworkAndIsFormatIndependent) {
  torch::manual_seed(5);
  auto b = make_bundle(tiny(Task::Count));
  b.net->eval();
  const int w = 96, h = 64;
  auto rgb = make_rgb(w, h);
  CrowdCounter counter(b);
  auto r = counter.count(ImageView{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB});
  auto x = torch::from_blob(rgb.data(), {h, w, 3}, torch::kUInt8).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat) / 255.0;
  const double expected = b.net->scalar(x).item<double>();
  EXPECT_NEAR(r.count, expected, 1e-4 * std::max(1.0, std::abs(expected)));
  EXPECT_EQ(r.density.sizes(), (std::vector<int64_t>{4, 6}));
  EXPECT_DOUBLE_EQ(r.cell_width, 16.0);

  // The same picture as BGRx with padded rows.
  const size_t stride = w * 4 + 16;
  std::vector<uint8_t> bgrx(stride * h, 0);
  for (int y = 0; y < h; ++y)
    for (int xx = 0; xx < w; ++xx)
      for (int c = 0; c < 3; ++c) bgrx[y * stride + xx * 4 + (2 - c)] = rgb[(y * w + xx) * 3 + c];
  auto r2 = counter.count(ImageView{bgrx.data(), w, h, stride, PixelFormat::BGRx});
  EXPECT_NEAR(r2.count, r.count, 1e-5 * std::max(1.0, std::abs(r.count)));
}

TEST(Engine, RoiAndZonesSumTheRightCells) {
  auto b = make_bundle(tiny(Task::Count));
  const int w = 128, h = 64;
  auto rgb = make_rgb(w, h, 2);
  ImageView v{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB};
  CrowdCounter whole(b);
  auto all = whole.count(v);
  // Left half as a zone: the sum of the left 4 of 8 columns.
  Polygon left = {{0, 0}, {64, 0}, {64, 64}, {0, 64}};
  const double zone = count_in_polygon(all, left);
  EXPECT_NEAR(zone, all.density.slice(1, 0, 4).sum().item<double>(), 1e-6);
  // The same half as the model's ROI.
  auto b2 = b;
  b2.meta.roi = {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}};
  CrowdCounter roi(b2);
  EXPECT_NEAR(roi.count(v).count, zone, 1e-5);
}

TEST(Engine, MaxInputSizeKeepsCountsInFrameUnits) {
  auto b = make_bundle(tiny(Task::Count));
  const int w = 256, h = 128;
  auto rgb = make_rgb(w, h, 3);
  EngineOptions o;
  o.max_input_size = 128;
  CrowdCounter small(b, o);
  auto r = small.count(ImageView{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB});
  EXPECT_EQ(r.density.sizes(), (std::vector<int64_t>{4, 8}));
  EXPECT_DOUBLE_EQ(r.cell_width, 32.0);
  EXPECT_NEAR(count_in_polygon(r, {{0, 0}, {256, 0}, {256, 128}, {0, 128}}), r.count, 1e-5);
}

TEST(Engine, TilingMatchesOnePass) {
  torch::manual_seed(9);
  auto b = make_bundle(tiny(Task::Count));
  const int w = 256, h = 128;
  auto rgb = make_rgb(w, h, 4);
  ImageView v{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB};
  auto whole = CrowdCounter(b).count(v);
  EngineOptions o;
  o.tile_size = 64;
  auto tiled = CrowdCounter(b, o).count(v);
  ASSERT_EQ(tiled.density.sizes(), whole.density.sizes());
  // Tiles carry a halo wider than the receptive field: every cell matches.
  EXPECT_TRUE(torch::allclose(whole.density, tiled.density, 1e-4, 1e-6))
      << (whole.density - tiled.density).abs().max().item<double>();
}

TEST(Engine, ModelSwapWhileInferring) {
  auto b1 = make_bundle(tiny(Task::Count));
  auto b2 = make_bundle(tiny(Task::Count));
  const int w = 64, h = 64;
  auto rgb = make_rgb(w, h, 5);
  ImageView v{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB};
  const double c1 = CrowdCounter(b1).count(v).count;
  const double c2 = CrowdCounter(b2).count(v).count;
  ASSERT_GT(std::abs(c1 - c2), 1e-6);
  CrowdCounter counter(b1);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, runs{0};
  std::thread worker([&] {
    while (!stop) {
      const double c = counter.count(v).count;
      if (std::abs(c - c1) > 1e-4 && std::abs(c - c2) > 1e-4) ++bad;
      ++runs;
    }
  });
  for (int i = 0; i < 20; ++i) counter.set_model(i % 2 ? b1 : b2);
  while (runs < 10) std::this_thread::yield();
  stop = true;
  worker.join();
  EXPECT_EQ(bad.load(), 0);
}

// A network that records the thread it runs on (and counts one person per cell).
class ThreadProbeNet : public RankNet {
 public:
  explicit ThreadProbeNet(NetSpec spec) : spec_(std::move(spec)) {}
  torch::Tensor dense(const torch::Tensor& x) override {
    seen = std::this_thread::get_id();
    if (fail) throw InputError("probe failed on purpose");
    return torch::ones({x.size(0), 1, (x.size(2) + 15) / 16, (x.size(3) + 15) / 16});
  }
  torch::Tensor scalar(const torch::Tensor& x) override { return dense(x).sum({1, 2, 3}); }
  int output_stride() const override { return 16; }
  const NetSpec& spec() const override { return spec_; }
  std::atomic<std::thread::id> seen{};
  std::atomic<bool> fail{false};

 private:
  NetSpec spec_;
};

// CPU engines run their frames on one process-wide thread (engine/torch_thread.h), so
// libgomp keeps one team however many engines and callers there are; errors come back.
TEST(Engine, CpuEnginesShareOneInferenceThread) {
  EXPECT_FALSE(on_torch_thread());
  std::thread::id torch_id;
  bool inside = false, nested = false;
  run_on_torch_thread([&] {
    torch_id = std::this_thread::get_id();
    inside = on_torch_thread();
    run_on_torch_thread([&] { nested = std::this_thread::get_id() == torch_id; });  // inline, no deadlock
  });
  EXPECT_TRUE(inside);
  EXPECT_TRUE(nested);
  EXPECT_NE(torch_id, std::this_thread::get_id());
  EXPECT_THROW(run_on_torch_thread([] { throw InputError("thrown on the inference thread"); }), InputError);

  ModelBundle b = make_bundle(tiny(Task::Count));
  auto probe = std::make_shared<ThreadProbeNet>(b.meta.spec);
  b.net = probe;
  CrowdCounter counter(b);
  const int w = 64, h = 48;
  auto rgb = make_rgb(w, h, 7);
  const ImageView v{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB};
  std::vector<double> counts(4, 0.0);
  std::vector<std::thread::id> seen(4);
  std::vector<std::thread> callers;
  std::mutex m;
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&, i] {
      const double c = counter.count(v).count;
      std::lock_guard<std::mutex> lock(m);  // dense() ran just before count() returned to this caller
      counts[i] = c;
      seen[i] = probe->seen.load();
    });
  for (auto& t : callers) t.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(counts[i], 12.0);  // 4 × 3 cells of one person
    EXPECT_EQ(seen[i], torch_id);
  }
  probe->fail = true;
  EXPECT_THROW(counter.count(v), InputError);
}

TEST(Engine, DeviceAndPrecisionErrors) {
  EXPECT_NE(error_of([] { parse_device("gpu0"); }).find("gpu0"), std::string::npos);
  EXPECT_EQ(parse_device("cpu"), torch::Device(torch::kCPU));
  if (!torch::cuda::is_available()) {
    EXPECT_NE(error_of([] { parse_device("cuda:0"); }).find("CUDA is not available"), std::string::npos);
  }
  EngineOptions o;
  o.fp16 = true;
  EXPECT_NE(error_of([&] { CrowdCounter(make_bundle(tiny(Task::Count)), o); }).find("fp16"), std::string::npos);
}

// Cores from a sysfs-like tree: SMT siblings (same package and core id) count once,
// a CPU without topology files counts as a core of its own.
TEST(Engine, CountsCoresFromTheTopology) {
  const auto dir = std::filesystem::temp_directory_path() / ("rv_cpu_" + std::to_string(::getpid()));
  auto topo = [&](int cpu, int package, int core) {
    const auto d = dir / ("cpu" + std::to_string(cpu)) / "topology";
    std::filesystem::create_directories(d);
    std::ofstream(d / "physical_package_id") << package << "\n";
    std::ofstream(d / "core_id") << core << "\n";
  };
  topo(0, 0, 0);
  topo(1, 0, 0);  // 0's SMT sibling
  topo(2, 0, 1);
  topo(3, 1, 0);  // the same core id on another package
  EXPECT_EQ(count_cores(dir.string(), {0, 1}), 1);
  EXPECT_EQ(count_cores(dir.string(), {0, 1, 2, 3}), 3);
  EXPECT_EQ(count_cores(dir.string(), {0, 7}), 2);  // no files for cpu7
  EXPECT_EQ(count_cores(dir.string(), {}), 0);
  std::filesystem::remove_all(dir);
  EXPECT_GE(available_cores(), 1);
  EXPECT_NE(error_of([] { set_intra_op_threads(-1); }).find("num-threads"), std::string::npos);
  const int before = torch::get_num_threads();
  EXPECT_EQ(set_intra_op_threads(1), 1);
  EXPECT_EQ(set_intra_op_threads(0), 1);  // an explicit choice stays
  set_intra_op_threads(before);
}

TEST(Engine, MallocTuningLeavesTheHostsChoice) {
  EXPECT_TRUE(malloc_tuning_wanted(nullptr, nullptr));
  EXPECT_TRUE(malloc_tuning_wanted(nullptr, "1"));
  EXPECT_FALSE(malloc_tuning_wanted(nullptr, "0"));
  EXPECT_FALSE(malloc_tuning_wanted("glibc.malloc.trim_threshold=0", nullptr));
  EXPECT_FALSE(malloc_tuning_wanted("glibc.cpu.hwcaps=-AVX2:glibc.malloc.arena_max=1", nullptr));
  EXPECT_TRUE(malloc_tuning_wanted("glibc.cpu.hwcaps=-AVX2", nullptr));
}

// A CPU engine keeps freed memory in the process: a frame-sized block then comes
// from the heap, not from a mapping of its own that would be faulted in afresh.
TEST(Engine, CpuEngineKeepsFreedMemory) {
#if !defined(__GLIBC__) || defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "glibc's malloc only (the sanitizers bring their own allocator)";
#else
  if (!malloc_tuning_wanted(std::getenv("GLIBC_TUNABLES"), std::getenv("RANKVISION_MALLOC_TUNING")))
    GTEST_SKIP() << "the environment opts out";
  CrowdCounter counter(make_bundle(tiny(Task::Count)));
  EXPECT_TRUE(tune_malloc_for_inference());
  const auto mapped_before = mallinfo2().hblks;
  void* block = std::malloc(8 << 20);  // a 768×576×... feature map's size; glibc maps it by default
  ASSERT_NE(block, nullptr);
  static_cast<volatile char*>(block)[0] = 1;
  EXPECT_EQ(mallinfo2().hblks, mapped_before);
  std::free(block);
#endif
}

TEST(Engine, QualityScoreIsCalibratedAndBounded) {
  auto b = make_bundle(tiny(Task::Quality));
  const int w = 320, h = 240;
  auto rgb = make_rgb(w, h, 6);
  ImageView v{rgb.data(), w, h, static_cast<size_t>(w) * 3, PixelFormat::RGB};
  auto r = QualityScorer(b).score(v);
  b.meta.score_scale = 2.0;
  b.meta.score_offset = 50.0;
  auto r2 = QualityScorer(b).score(v);
  EXPECT_NEAR(r2.raw, r.raw, 1e-5);
  EXPECT_NEAR(r2.score, std::clamp(r.raw * 2 + 50, 0.0, 100.0), 1e-6);
  // One centre crop equals the network on that crop.
  EngineOptions o;
  o.quality_crops = 1;
  auto r3 = QualityScorer(b, o).score(v);
  auto x = torch::from_blob(rgb.data(), {h, w, 3}, torch::kUInt8).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat) / 255.0;
  auto crop = x.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(8, 232),
                       torch::indexing::Slice(48, 272)});
  b.net->eval();
  EXPECT_NEAR(r3.raw, b.net->scalar(crop).item<double>(), 1e-4);
  // A model trained on 160-px crops is scored on the centre 160-px crop.
  b.meta.quality_crop = 160;
  auto r4 = QualityScorer(b, o).score(v);
  auto crop160 = x.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(40, 200),
                          torch::indexing::Slice(80, 240)});
  EXPECT_NEAR(r4.raw, b.net->scalar(crop160).item<double>(), 1e-4);
  EXPECT_GT(std::abs(r4.raw - r3.raw), 1e-6);
}
