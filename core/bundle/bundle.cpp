#include "bundle/bundle.h"

#include <torch/script.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/json_file.h"
#include "model/graph_nets.h"
#include "model/mobilenet.h"
#include "model/tfjs_graph.h"
#include "rankvision_config.h"

namespace rv {

namespace {

constexpr char kMagic[8] = {'R', 'V', 'B', 'U', 'N', 'D', 'L', 'E'};
// Format 2 added a CRC-32 of the metadata and weights after the weights. Format 1
// files (no checksum) load only where the caller accepts them (LegacyFormat::Accept).
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kUncheckedFormatVersion = 1;
// Metadata larger than this is not ours (guards against reading garbage lengths).
constexpr uint64_t kMaxJsonBytes = 16u << 20;

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32), continued from `crc`.
uint32_t crc32_update(uint32_t crc, const std::string& bytes) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

uint32_t bundle_checksum(const std::string& json_text, const std::string& weights) {
  return crc32_update(crc32_update(0, json_text), weights);
}

template <typename T>
void write_pod(std::ostream& out, T value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
bool read_pod(std::istream& in, T& value) {
  in.read(reinterpret_cast<char*>(&value), sizeof(T));
  return static_cast<bool>(in);
}

// A TorchScript model made in Python, with its metadata in a sidecar JSON.
class ScriptedNet : public RankNet {
 public:
  ScriptedNet(torch::jit::Module module, NetSpec spec, int stride)
      : module_(std::move(module)), spec_(std::move(spec)), stride_(stride) {
    mean_ = torch::tensor(std::vector<float>(spec_.mean.begin(), spec_.mean.end())).view({1, 3, 1, 1});
    std_ = torch::tensor(std::vector<float>(spec_.std.begin(), spec_.std.end())).view({1, 3, 1, 1});
  }
  torch::Tensor dense(const torch::Tensor& images) override {
    auto x = (images - mean_.to(images.device(), images.scalar_type())) /
             std_.to(images.device(), images.scalar_type());
    auto out = module_.forward({x}).toTensor();
    if (spec_.task == Task::Quality) return out.reshape({-1, 1, 1, 1});
    TORCH_CHECK(out.dim() == 4 && out.size(1) == 1, "TorchScript density model must return [N,1,h,w], got ",
                out.sizes());
    return out;
  }
  torch::Tensor scalar(const torch::Tensor& images) override {
    auto d = dense(images);
    return spec_.task == Task::Quality ? d.view({-1}) : d.sum({1, 2, 3});
  }
  int output_stride() const override { return stride_; }
  const NetSpec& spec() const override { return spec_; }
  // The scripted module is not a registered submodule: move and switch it by hand.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override {
    module_.to(device, dtype, non_blocking);
    mean_ = mean_.to(device);
    std_ = std_.to(device);
  }
  void to(torch::Dtype dtype, bool non_blocking = false) override { module_.to(dtype, non_blocking); }
  void to(torch::Device device, bool non_blocking = false) override {
    module_.to(device, non_blocking);
    mean_ = mean_.to(device);
    std_ = std_.to(device);
  }
  void train(bool on = true) override {
    torch::nn::Module::train(on);
    module_.train(on);
  }

 private:
  torch::jit::Module module_;
  NetSpec spec_;
  int stride_;
  torch::Tensor mean_, std_;
};

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, std::string("cannot open (") + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return parse_json_text(text, source);
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " (corrupt model metadata)");
  }
}

struct RawBundle {
  nlohmann::json meta;
  std::string weights;
  uint32_t version = 0;
};

// The first line of a library's message (LibTorch appends source excerpts and traces).
// (ErrorReport's text starts with a blank line: skip leading whitespace first.)
std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "no message";
  return text.substr(start, text.find('\n', start) - start);
}

// Reads and checks the container; weights are left undecoded.
RawBundle read_container(const std::string& path, bool want_weights, LegacyFormat legacy) {
  if (!file_exists(path)) throw_input_error(path, "model file not found");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw_input_error(path, std::string("cannot open model file (") + std::strerror(errno) + ")");
  // Lengths in the file are checked against what the file holds before anything is allocated.
  const auto file_size = static_cast<uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(0);
  const auto remaining = [&in, file_size] { return file_size - static_cast<uint64_t>(in.tellg()); };
  char magic[8] = {};
  in.read(magic, sizeof(magic));
  if (!in || std::memcmp(magic, kMagic, sizeof(magic)) != 0) {
    throw_input_error(path, "not a rankvision model bundle (bad magic)");
  }
  uint32_t version = 0;
  if (!read_pod(in, version)) throw_input_error(path, "truncated model file (no format version)");
  if (version != kFormatVersion && version != kUncheckedFormatVersion) {
    throw_input_error(path, "model format version " + std::to_string(version) + " is not supported (this build reads " +
                                std::to_string(kUncheckedFormatVersion) + " and " + std::to_string(kFormatVersion) +
                                ")");
  }
  if (want_weights && version == kUncheckedFormatVersion && legacy == LegacyFormat::Refuse) {
    throw_input_error(path, "model format 1 carries no checksum, and LibTorch does not check the weights it reads; "
                            "if you trust this file, convert it once: rankvision info " +
                                path + " --upgrade --out NEW.rvm");
  }
  uint64_t json_len = 0;
  if (!read_pod(in, json_len)) throw_input_error(path, "truncated model file (no metadata length)");
  if (json_len == 0 || json_len > kMaxJsonBytes) throw_input_error(path, "corrupt model file (bad metadata length)");
  if (json_len > remaining()) throw_input_error(path, "truncated model file (metadata cut short)");
  std::string json_text(json_len, '\0');
  in.read(json_text.data(), static_cast<std::streamsize>(json_len));
  if (!in) throw_input_error(path, "truncated model file (metadata cut short)");
  RawBundle raw;
  raw.version = version;
  raw.meta = parse_json(json_text, path);
  if (!want_weights) return raw;
  uint64_t weights_len = 0;
  if (!read_pod(in, weights_len)) throw_input_error(path, "truncated model file (no weights)");
  if (weights_len > remaining()) {
    throw_input_error(path, "truncated model file (the header promises " + std::to_string(weights_len) +
                                " bytes of weights, " + std::to_string(remaining()) + " are there)");
  }
  raw.weights.resize(weights_len);
  in.read(raw.weights.data(), static_cast<std::streamsize>(weights_len));
  if (!in || static_cast<uint64_t>(in.gcount()) != weights_len) {
    throw_input_error(path, "truncated model file (weights cut short)");
  }
  if (version == kUncheckedFormatVersion) return raw;
  uint32_t stored = 0;
  if (!read_pod(in, stored)) throw_input_error(path, "truncated model file (no checksum after the weights)");
  if (remaining() != 0) {
    throw_input_error(path, "corrupt model file (" + std::to_string(remaining()) + " unexpected bytes after the checksum)");
  }
  // Checked before LibTorch sees the weights: its deserialiser trusts its archive
  // and can crash on a mangled one (fuzz/regressions/bundle/).
  if (bundle_checksum(json_text, raw.weights) != stored) {
    throw_input_error(path, "corrupt model file (checksum mismatch: the file changed after it was written)");
  }
  return raw;
}

bool looks_like_zip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char sig[2] = {};
  in.read(sig, 2);
  return in && sig[0] == 'P' && sig[1] == 'K';
}

std::string sidecar_for(const std::string& path) {
  if (file_exists(path + ".json")) return path + ".json";
  const auto dot = path.find_last_of('.');
  const auto slash = path.find_last_of('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    const std::string alt = path.substr(0, dot) + ".json";
    if (file_exists(alt)) return alt;
  }
  return "";
}

void check_task(const BundleMeta& meta, std::optional<Task> expected, const std::string& path) {
  if (expected && meta.spec.task != *expected) {
    throw_input_error(path, "is a " + to_string(meta.spec.task) + " model, but a " + to_string(*expected) +
                                " model is needed");
  }
}

ModelBundle load_torchscript(const std::string& path, std::optional<Task> expected) {
  const std::string sidecar = sidecar_for(path);
  if (sidecar.empty()) {
    throw_input_error(path, "TorchScript model without metadata: put it in " + path + ".json");
  }
  ModelBundle bundle;
  bundle.meta = BundleMeta::from_json(parse_json(read_whole(sidecar), sidecar), sidecar);
  check_task(bundle.meta, expected, path);
  try {
    auto module = torch::jit::load(path, torch::kCPU);
    module.eval();
    bundle.net = std::make_shared<ScriptedNet>(std::move(module), bundle.meta.spec, bundle.meta.output_stride);
  } catch (const c10::Error& e) {
    throw_input_error(path, std::string("corrupt TorchScript model (") + e.what_without_backtrace() + ")");
  } catch (const std::exception& e) {
    throw_input_error(path, "corrupt TorchScript model (" + first_line(e.what()) + ")");
  }
  bundle.path = path;
  return bundle;
}

}  // namespace

nlohmann::json BundleMeta::to_json() const {
  nlohmann::json j;
  j["format"] = "rankvision-bundle";
  j["task"] = to_string(spec.task);
  j["architecture"] = spec.arch;
  j["width"] = spec.width;
  j["batch_norm"] = spec.batch_norm;
  j["normalisation"] = {{"mean", spec.mean}, {"std", spec.std}, {"input_range", "0..1"}};
  j["colour_order"] = colour_order;
  j["output_stride"] = output_stride;
  if (spec.task == Task::Count) {
    j["density_scale"] = spec.density_scale;
    if (decoder_name(spec.decoder) != "pool") j["decoder"] = spec.decoder;  // older bundles: pool
  } else {
    j["score"] = {{"direction", "higher_is_better"}, {"range", {0, 100}}, {"scale", score_scale},
                  {"offset", score_offset}, {"crop", quality_crop}};
  }
  nlohmann::json roi_json = nlohmann::json::array();
  for (const auto& [x, y] : roi) roi_json.push_back({x, y});
  j["camera"] = {{"input_scale", input_scale}, {"roi", roi_json}};
  j["provenance"] = provenance;
  if (!spec.graph.is_null()) j["graph"] = spec.graph;
  return j;
}

BundleMeta BundleMeta::from_json(const nlohmann::json& j, const std::string& source) {
  BundleMeta m;
  auto field = [&](const char* name) -> const nlohmann::json& {
    if (!j.contains(name)) throw_input_error(source, std::string("model metadata lacks field '") + name + "'");
    return j.at(name);
  };
  try {
    if (!j.is_object()) throw_input_error(source, "model metadata is not a JSON object");
    m.spec.task = task_from_string(field("task").get<std::string>());
    m.spec.arch = field("architecture").get<std::string>();
    m.spec.width = field("width").get<double>();
    m.spec.batch_norm = j.value("batch_norm", false);
    if (j.contains("graph")) m.spec.graph = j["graph"];
    if (j.contains("normalisation")) {
      m.spec.mean = j["normalisation"].at("mean").get<std::vector<double>>();
      m.spec.std = j["normalisation"].at("std").get<std::vector<double>>();
    }
    m.colour_order = j.value("colour_order", std::string("RGB"));
    if (m.colour_order != "RGB" && m.colour_order != "BGR") {
      throw_input_error(source, "colour_order '" + m.colour_order + "': expected RGB or BGR");
    }
    m.output_stride = j.value("output_stride", m.spec.task == Task::Count ? 16 : 32);
    if (m.spec.task == Task::Count) {
      m.spec.density_scale = j.value("density_scale", 100.0);
      m.spec.decoder = j.value("decoder", std::string());
    }
    if (j.contains("score")) {
      m.score_scale = j["score"].value("scale", 1.0);
      m.score_offset = j["score"].value("offset", 0.0);
      m.quality_crop = j["score"].value("crop", 224);
      if (m.quality_crop < 16 || m.quality_crop > 4096) throw_input_error(source, "score.crop out of range [16, 4096]");
    }
    if (j.contains("camera")) {
      const auto& cam = j["camera"];
      m.input_scale = cam.value("input_scale", 1.0);
      if (!(m.input_scale > 0 && m.input_scale <= 8)) throw_input_error(source, "camera.input_scale out of range (0, 8]");
      if (cam.contains("roi")) {
        for (const auto& p : cam["roi"]) m.roi.emplace_back(p.at(0).get<double>(), p.at(1).get<double>());
      }
      if (!m.roi.empty() && m.roi.size() < 3) throw_input_error(source, "camera.roi needs at least 3 points");
    }
    m.provenance = j.value("provenance", nlohmann::json::object());
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(source, std::string("malformed model metadata (") + e.what() + ")");
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw_input_error(source, what);
  }
  return m;
}

double BundleMeta::quality_score(double raw) const {
  return std::clamp(raw * score_scale + score_offset, 0.0, 100.0);
}

namespace {

// Names of the parameters of the trunk's first n convolution modules (trunk_conv_modules).
std::set<std::string> first_conv_parameters(torch::nn::Module& net, int n, const std::string& names) {
  std::set<std::string> early;
  if (n <= 0) return early;
  const std::vector<std::string> modules = trunk_conv_modules(net);
  if (static_cast<int>(modules.size()) < n) {
    throw InputError("cannot blend " + names + " from convolution " + std::to_string(n) + ": the trunk has " +
                     std::to_string(modules.size()) + " convolutions");
  }
  const std::set<std::string> first(modules.begin(), modules.begin() + n);
  for (const auto& p : net.named_parameters(true))
    if (first.count(p.key().substr(0, p.key().rfind('.'))) != 0) early.insert(p.key());
  return early;
}

}  // namespace

ModelBundle blend_bundles(const ModelBundle& a, const ModelBundle& b, double t, int keep_first_convs) {
  const std::string names = (a.path.empty() ? "first model" : a.path) + " and " + (b.path.empty() ? "second model" : b.path);
  if (!(t >= 0.0 && t <= 1.0)) throw InputError("blend weight " + std::to_string(t) + " is outside [0, 1]");
  const NetSpec& sa = a.meta.spec;
  const NetSpec& sb = b.meta.spec;
  auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    throw InputError("cannot blend " + names + ": " + what + " differs (" + x + " vs " + y + ")");
  };
  if (sa.task != sb.task) differ("task", to_string(sa.task), to_string(sb.task));
  if (sa.arch != sb.arch) differ("architecture", sa.arch, sb.arch);
  if (sa.width != sb.width) differ("width", std::to_string(sa.width), std::to_string(sb.width));
  if (sa.graph != sb.graph) differ("graph topology", "one trunk", "another");
  if (decoder_name(sa.decoder) != decoder_name(sb.decoder)) differ("decoder", decoder_name(sa.decoder), decoder_name(sb.decoder));
  if (sa.batch_norm != sb.batch_norm) differ("batch norm", sa.batch_norm ? "on" : "off", sb.batch_norm ? "on" : "off");
  if (a.meta.output_stride != b.meta.output_stride) {
    differ("output stride", std::to_string(a.meta.output_stride), std::to_string(b.meta.output_stride));
  }
  if (density_scale_match(a, b) != 1.0) {
    differ("density scale (calibrate after blending)", std::to_string(sa.density_scale), std::to_string(sb.density_scale));
  }
  if (keep_first_convs < 0) throw InputError("blend: a negative number of convolutions to keep");
  if (keep_first_convs > 0 && sa.batch_norm) {
    throw InputError("cannot blend " + names + " layer-wise: batch-norm networks blend whole only");
  }
  ModelBundle out = make_bundle(sa);
  out.meta = a.meta;
  out.meta.format_version = 0;
  const std::set<std::string> keep = first_conv_parameters(*a.net, keep_first_convs, names);
  torch::NoGradGuard no_grad;
  auto mix = [&](const torch::OrderedDict<std::string, torch::Tensor>& dst,
                 const torch::OrderedDict<std::string, torch::Tensor>& xa,
                 const torch::OrderedDict<std::string, torch::Tensor>& xb) {
    for (const auto& item : dst) {
      const torch::Tensor* ta = xa.find(item.key());
      const torch::Tensor* tb = xb.find(item.key());
      if (ta == nullptr || tb == nullptr) throw InputError("cannot blend " + names + ": " + item.key() + " is missing");
      if (!ta->sizes().equals(tb->sizes())) {
        differ(item.key() + "'s shape", c10::str(ta->sizes()), c10::str(tb->sizes()));
      }
      torch::Tensor target = item.value();
      if (keep.count(item.key()) != 0) {
        target.copy_(*ta);
      } else if (target.is_floating_point()) {
        target.copy_(ta->to(torch::kCPU) * (1.0 - t) + tb->to(torch::kCPU) * t);
      } else {
        target.copy_(*ta);  // counters (batch norm's num_batches_tracked): the first model's
      }
    }
  };
  mix(out.net->named_parameters(true), a.net->named_parameters(true), b.net->named_parameters(true));
  mix(out.net->named_buffers(true), a.net->named_buffers(true), b.net->named_buffers(true));
  out.net->eval();
  return out;
}

double density_scale_match(const ModelBundle& to, const ModelBundle& with) {
  const NetSpec &st = to.meta.spec, &sw = with.meta.spec;
  if (st.task != Task::Count || sw.task != Task::Count) return 1.0;
  // Equal up to 1e-6: a scale matched to another with `info --scale-counts K`, K typed from the printed
  // scales (6 digits), is off in the last bits.
  const double a = st.density_scale, b = sw.density_scale;
  return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)) ? 1.0 : b / a;
}

long copy_named_tensors(torch::nn::Module& from, torch::nn::Module& to,
                        const std::function<bool(const std::string&)>& take, const std::string& where) {
  torch::NoGradGuard no_grad;
  long copied = 0;
  auto copy = [&](const torch::OrderedDict<std::string, torch::Tensor>& dst,
                  const torch::OrderedDict<std::string, torch::Tensor>& src) {
    for (const auto& item : dst) {
      if (!take(item.key())) continue;
      const torch::Tensor* t = src.find(item.key());
      if (t == nullptr || !t->sizes().equals(item.value().sizes()))
        throw InputError(where + ": " + item.key() + " is missing or has another shape");
      item.value().copy_(*t);
      ++copied;
    }
  };
  copy(to.named_parameters(true), from.named_parameters(true));
  copy(to.named_buffers(true), from.named_buffers(true));
  return copied;
}

void scale_bundle_counts(ModelBundle& bundle, double k) {
  if (bundle.meta.spec.task != Task::Count) throw InputError("scaling counts: not a counting model");
  if (!(k > 0 && k <= 1e3)) throw InputError("scaling counts: factor " + std::to_string(k) + " outside (0, 1000]");
  NetSpec spec = bundle.meta.spec;
  spec.density_scale /= k;
  ModelBundle fresh = make_bundle(spec);
  copy_named_tensors(*bundle.net, *fresh.net, [](const std::string&) { return true; }, "scaling counts");
  fresh.net->eval();
  bundle.meta.spec = spec;
  bundle.net = fresh.net;
}

ModelBundle make_bundle(const NetSpec& spec) {
  ModelBundle b;
  b.meta.spec = spec;
  b.net = build_network(spec);
  b.meta.output_stride = b.net->output_stride();
  return b;
}

ModelBundle make_bundle_from_graph(NetSpec spec, const std::string& model_json, std::ostream& log) {
  const TfjsGraph graph = load_tfjs_graph(model_json);
  attach_graph_topology(spec, graph);
  ModelBundle b = make_bundle(spec);
  const int n = import_tfjs_trunk(*b.net, graph);
  log << "imported " << n << (spec.graph.is_null() ? " MobileNetV1 layers" : " graph tensors") << " from " << model_json
      << "\n";
  b.meta.provenance["init"] = model_json;
  return b;
}

void save_bundle(const std::string& path, const ModelBundle& bundle) {
  if (!bundle.net) throw Error("save_bundle(" + path + "): bundle has no network");
  std::ostringstream weights;
  {
    torch::serialize::OutputArchive archive;
    bundle.net->save(archive);
    archive.save_to(weights);
  }
  const std::string json_text = bundle.meta.to_json().dump(2);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw_input_error(path, std::string("cannot write model file (") + std::strerror(errno) + ")");
    out.write(kMagic, sizeof(kMagic));
    write_pod<uint32_t>(out, kFormatVersion);
    write_pod<uint64_t>(out, json_text.size());
    out.write(json_text.data(), static_cast<std::streamsize>(json_text.size()));
    const std::string w = weights.str();
    write_pod<uint64_t>(out, w.size());
    out.write(w.data(), static_cast<std::streamsize>(w.size()));
    write_pod<uint32_t>(out, bundle_checksum(json_text, w));
    out.flush();
    if (!out) {
      const std::string reason = errno ? std::strerror(errno) : "disk full?";
      std::remove(tmp.c_str());
      throw_input_error(path, "write failed (" + reason + "); the old file, if any, is unchanged");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    throw_input_error(path, "cannot move the new model into place (" + reason + ")");
  }
}

BundleMeta read_bundle_meta(const std::string& path) {
  if (file_exists(path) && looks_like_zip(path)) {
    const std::string sidecar = sidecar_for(path);
    if (sidecar.empty()) throw_input_error(path, "TorchScript model without metadata: put it in " + path + ".json");
    return BundleMeta::from_json(parse_json(read_whole(sidecar), sidecar), sidecar);
  }
  RawBundle raw = read_container(path, false, LegacyFormat::Accept);
  BundleMeta meta = BundleMeta::from_json(raw.meta, path);
  meta.format_version = static_cast<int>(raw.version);
  return meta;
}

ModelBundle load_bundle(const std::string& path, std::optional<Task> expected, LegacyFormat legacy) {
  if (file_exists(path) && looks_like_zip(path)) return load_torchscript(path, expected);
  RawBundle raw = read_container(path, true, legacy);
  ModelBundle bundle;
  bundle.meta = BundleMeta::from_json(raw.meta, path);
  bundle.meta.format_version = static_cast<int>(raw.version);
  check_task(bundle.meta, expected, path);
  try {
    bundle.net = build_network(bundle.meta.spec);
  } catch (const InputError& e) {
    throw_input_error(path, e.what());
  }
  try {
    std::istringstream weights(raw.weights);
    torch::serialize::InputArchive archive;
    archive.load_from(weights);
    // Module::load replaces tensors wholesale, shape included: compare with the
    // architecture's own shapes so a file that does not fit is refused.
    std::vector<std::pair<std::string, std::vector<int64_t>>> expected_shapes;
    for (const auto& p : bundle.net->named_parameters()) expected_shapes.emplace_back(p.key(), p.value().sizes().vec());
    bundle.net->load(archive);
    const auto params = bundle.net->named_parameters();
    for (const auto& [name, shape] : expected_shapes) {
      const auto* t = params.find(name);
      if (t == nullptr || t->sizes().vec() != shape) {
        throw_input_error(path, "weights do not fit the architecture (" + name + " is " +
                                    (t ? c10::str(t->sizes()) : std::string("missing")) + ", " + bundle.meta.spec.arch +
                                    " width " + std::to_string(bundle.meta.spec.width) + " needs " + c10::str(shape) +
                                    ")");
      }
    }
  } catch (const InputError&) {
    throw;
  } catch (const c10::Error& e) {
    throw_input_error(path, std::string("corrupt weights or weights that do not fit the architecture (") +
                                e.what_without_backtrace() + ")");
  } catch (const std::exception& e) {
    // LibTorch's TorchScript type parser throws its own ErrorReport on a mangled
    // archive (found by fuzz/fuzz_bundle): not a c10::Error, still a corrupt file.
    throw_input_error(path, "corrupt weights (" + first_line(e.what()) + ")");
  }
  bundle.net->eval();
  bundle.path = path;
  return bundle;
}

std::string default_model_path(Task task) {
  const std::string name = task == Task::Count ? "crowdcount-default.rvm" : "iqa-default.rvm";
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RANKVISION_MODEL_DIR")) dirs.emplace_back(env);
  dirs.emplace_back(RANKVISION_MODELDIR);
  dirs.emplace_back(RANKVISION_SOURCE_MODELDIR);
  for (const auto& d : dirs) {
    const std::string p = d + "/" + name;
    if (file_exists(p)) return p;
  }
  return "";
}

}  // namespace rv
