#include "count_sources.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <sstream>

#include "common/error.h"
#include "data/frame_source.h"
#include "data/image_io.h"
#include "model/density_net.h"
#include "model/graph_nets.h"
#include "model/mobilenet.h"
#include "model/vgg.h"

namespace rv::cli {

std::vector<FlagSpec> labelled_flags() {
  return {
      {"shanghaitech", "DIR", "labelled set: DIR/images + DIR/ground-truth (GT_IMG_n.mat)", "", true},
      {"points", "FILE", "labelled set: point annotations (JSON or CSV) of images in --images", "", true},
      {"images", "DIR", "folder of the images named in --points (one, or one per --points)", "", true},
  };
}

std::vector<FlagSpec> density_flags() {
  return {
      {"density", "fixed|adaptive", "Gaussian kernels of the density targets", "fixed"},
      {"sigma", "PX", "fixed kernel sigma in original pixels", "15"},
  };
}

DensityTargetOptions density_from(const Args& a) {
  DensityTargetOptions d;
  const std::string kind = a.str("density", "fixed");
  if (kind != "fixed" && kind != "adaptive") throw InputError("--density '" + kind + "': expected fixed or adaptive");
  d.adaptive = kind == "adaptive";
  d.sigma = a.real("sigma", 15.0, 0.1, 1000.0);
  return d;
}

void load_labelled_sets(const Args& a, const std::string& shanghaitech_flag, const std::string& points_flag,
                        const std::string& images_flag, double scale, const DensityTargetOptions& density,
                        std::vector<LabelledImage>& out) {
  for (const auto& dir : a.all(shanghaitech_flag)) {
    auto part = load_shanghaitech_set(dir, scale, density);
    for (auto& li : part) li.name = dir + "/" + li.name;
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  const auto points = a.all(points_flag);
  const auto images = a.all(images_flag);
  if (!points.empty() && images.empty()) throw InputError("--" + points_flag + ": needs --" + images_flag + " DIR");
  if (images.size() > 1 && images.size() != points.size())
    throw InputError("--" + images_flag + ": give one folder, or one per --" + points_flag + " file");
  for (size_t i = 0; i < points.size(); ++i) {
    auto part = load_points_set(points[i], images.size() == 1 ? images[0] : images[i], scale, density);
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
}

std::vector<LabelledImage> load_labelled(const Args& a, double scale, const DensityTargetOptions& density) {
  std::vector<LabelledImage> out;
  load_labelled_sets(a, "shanghaitech", "points", "images", scale, density, out);
  return out;
}

std::vector<FlagSpec> unlabelled_flags() {
  return {
      {"unlabeled-video", "FILE", "unlabelled footage for ranked crops", "", true},
      {"unlabeled-images", "DIR", "folder of unlabelled images for ranked crops", "", true},
      {"unlabeled-frames", "A:B", "frame range of the unlabelled videos", "all"},
      {"unlabeled-max", "N", "frames/images kept per unlabelled source", "200"},
  };
}

std::vector<cv::Mat> load_unlabelled(const Args& a, double scale) {
  std::vector<cv::Mat> out;
  const long max = a.integer("unlabeled-max", 200, 1, 1000000);
  FrameRange range;
  if (a.has("unlabeled-frames")) range = parse_frame_range(a.str("unlabeled-frames"), "--unlabeled-frames");
  for (const auto& v : a.all("unlabeled-video")) {
    auto f = load_frames(v, range, max, scale);
    std::move(f.begin(), f.end(), std::back_inserter(out));
  }
  for (const auto& d : a.all("unlabeled-images")) {
    auto f = load_image_folder(d, max, scale);
    std::move(f.begin(), f.end(), std::back_inserter(out));
  }
  return out;
}

static bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// --decoder other than --init's: that bundle's trunk (every "trunk." tensor) under a freshly
// initialised decoder of the other kind; its density scale, input scale and provenance are kept.
static ModelBundle with_new_decoder(ModelBundle b, const std::string& decoder, const std::string& init) {
  if (b.meta.spec.arch != "centernet_mnv3")
    throw InputError("--decoder " + decoder + ": --init " + init + " is a " + b.meta.spec.arch +
                     " network; only centernet_mnv3 has a choice of decoder");
  BundleMeta meta = b.meta;
  meta.spec.decoder = decoder;
  ModelBundle out = make_bundle(meta.spec);
  meta.output_stride = out.meta.output_stride;
  out.meta = meta;
  const long copied = copy_named_tensors(
      *b.net, *out.net, [](const std::string& name) { return name.rfind("trunk.", 0) == 0; }, "--init " + init);
  std::cerr << "note: --init " << init << ": its trunk (" << copied << " tensors) under a new '" << decoder
            << "' decoder (was '" << decoder_name(b.meta.spec.decoder) << "')\n";
  return out;
}

// The network to start from: a bundle, a torchvision VGG16 state dict, a
// TF.js MobileNetV1 graph (model.json, for posenet_mnv1), or fresh.
ModelBundle initial_count_bundle(const std::string& init, const NetSpec& spec) {
  if (init.empty()) return make_bundle(spec);
  if (ends_with(init, ".json")) {
    if (spec.arch != "posenet_mnv1" && !is_graph_architecture(spec.arch))
      throw InputError("--init " + init + ": a TF.js graph initialises --arch posenet_mnv1 or centernet_mnv3 only");
    return make_bundle_from_graph(spec, init, std::cerr);
  }
  const bool pth = init.size() > 4 && (init.substr(init.size() - 4) == ".pth" || init.substr(init.size() - 3) == ".pt");
  if (!pth) {
    ModelBundle b = load_bundle(init, Task::Count);
    if (b.meta.spec.arch == "centernet_peaks")
      throw InputError("--init " + init + ": architecture 'centernet_peaks' counts a detector's peaks and has nothing "
                       "to train (fit its thresholds with `rankvision adapt --iterations 0 --frame-counts CSV`)");
    if (b.meta.spec.width != spec.width || b.meta.spec.batch_norm != spec.batch_norm)
      std::cerr << "note: --init " << init << " fixes the architecture (width " << b.meta.spec.width
                << (b.meta.spec.batch_norm ? ", batch norm" : "") << "); --width/--batch-norm ignored\n";
    b.meta.provenance = nlohmann::json::object();
    b.meta.provenance["init"] = init;
    if (!spec.decoder.empty() && decoder_name(spec.decoder) != decoder_name(b.meta.spec.decoder))
      return with_new_decoder(std::move(b), spec.decoder, init);
    return b;
  }
  if (spec.width != 1.0) throw InputError("--init " + init + ": VGG16 weights need --width 1");
  ModelBundle b = make_bundle(spec);
  auto* net = dynamic_cast<DensityNet*>(b.net.get());
  if (!net) throw Error("--init: the counting network has no VGG16 trunk");
  const int n = import_torchvision_vgg16(net->trunk(), init);
  std::cerr << "imported " << n << " tensors from " << init << "\n";
  b.meta.provenance["init"] = init;
  return b;
}

NetSpec count_spec_from(const Args& a) {
  NetSpec spec;
  spec.task = Task::Count;
  spec.arch = a.str("arch", "vgg16");
  spec.width = a.real("width", default_width(spec.arch), 1e-3, 4.0);
  set_arch_normalisation(spec);
  spec.batch_norm = a.flag("batch-norm");
  if (a.has("decoder")) {
    if (spec.arch != "centernet_mnv3" && !a.has("init"))
      throw InputError("--decoder: only --arch centernet_mnv3 has a choice of decoder");
    spec.decoder = a.str("decoder");  // "pool" asked for explicitly: a --init of another decoder gets a pool one
    require_known_decoder(spec.decoder, "--decoder");
  }
  return spec;
}

std::vector<FlagSpec> model_flags() {
  return {{"model", "FILE", "counting model bundle", "the installed default"},
          {"input-scale", "X", "run the model at this input scale instead of the one in its bundle"}};
}

std::string counting_model_path(const Args& a) {
  std::string model = a.str("model");
  if (model.empty()) model = default_model_path(Task::Count);
  if (model.empty())
    throw InputError("--model: no default counting model is installed; give --model FILE "
                     "(set RANKVISION_MODEL_DIR or train one with `rankvision train-count`)");
  return model;
}

std::unique_ptr<CrowdCounter> counter_from_flags(const Args& a, const std::string& model, const EngineOptions& options) {
  ModelBundle bundle = load_bundle(model, Task::Count);
  if (a.has("input-scale")) bundle.meta.input_scale = a.real("input-scale", 1.0, 0.05, 8.0);
  return std::make_unique<CrowdCounter>(std::move(bundle), options);
}

CountResult count_bgr(CrowdCounter& counter, const cv::Mat& bgr) {
  const cv::Mat img = bgr.isContinuous() ? bgr : bgr.clone();
  ImageView v;
  v.data = img.data;
  v.width = img.cols;
  v.height = img.rows;
  v.stride = img.step[0];
  v.format = PixelFormat::BGR;
  return counter.count(v);
}

}  // namespace rv::cli
