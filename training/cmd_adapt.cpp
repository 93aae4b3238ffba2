// rankvision adapt: per-camera self-supervised adaptation (ranking loss on
// nested crops of the camera's own frames), held in place by labelled data,
// a few frame counts / frame points, or an anchor to the base model.
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "active/image_certainty.h"
#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "count_sources.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "data/tensor_convert.h"
#include "metrics/metrics.h"
#include "train/count_trainer.h"
#include "train/stop_signal.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

using Roi = std::vector<std::pair<double, double>>;

long frame_index_of(const std::string& name, const std::string& file) {
  // The last run of digits: "frame_000123.png" → 123, "42" → 42.
  long end = static_cast<long>(name.size()) - 1;
  while (end >= 0 && !std::isdigit(static_cast<unsigned char>(name[end]))) --end;
  long begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1]))) --begin;
  if (end < 0) throw_input_error(file, "image name '" + name + "' holds no frame number");
  return std::stol(name.substr(begin, end - begin + 1));
}

// Count of the network on a frame at a scale, inside the ROI.
double count_frame(RankNet& net, const cv::Mat& frame, double scale, const Roi& roi) {
  torch::NoGradGuard no_grad;
  const cv::Mat img = resize_by(frame, scale);
  auto d = net.dense(image_to_tensor(img))[0][0];
  if (roi.empty()) return d.sum().item<double>();
  cv::Mat m = roi_mask(roi, cv::Size(static_cast<int>(d.size(1)), static_cast<int>(d.size(0))));
  m.convertTo(m, CV_32F, 1.0 / 255.0);
  return (d * torch::from_blob(m.data, {m.rows, m.cols}, torch::kFloat)).sum().item<double>();
}

double mean_certainty(RankNet& net, const std::vector<cv::Mat>& frames, const ImageCertaintyOptions& co) {
  if (frames.empty()) return NAN;
  net.eval();
  double sum = 0;
  for (size_t i = 0; i < frames.size(); ++i) sum += certainty_of_image(net, frames[i], co, static_cast<uint32_t>(1000 + i));
  return sum / frames.size();
}

std::vector<double> parse_scales(const std::string& text) {
  std::vector<double> out;
  std::string t = text;
  for (auto& c : t)
    if (c == ',') c = ' ';
  std::istringstream in(t);
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (*end != '\0' || !(v >= 0.05 && v <= 8)) throw InputError("--scales '" + text + "': numbers in [0.05, 8] expected");
    out.push_back(v);
  }
  if (out.empty()) throw InputError("--scales: empty");
  return out;
}

}  // namespace

int cmd_adapt(int argc, char** argv) {
  Args a("adapt",
         "Adapt a counting model to one camera from its own footage: ranking loss on nested crops of the\n"
         "camera's frames (batch norm frozen), kept from drifting by labelled data (--shanghaitech /\n"
         "--points + --images), a few labelled frames (--frame-counts, --frame-points) or, with none of\n"
         "these, an anchor to the base model. With frame labels the input scale that fits them best is\n"
         "chosen from --scales; scale and --roi go into the output bundle. Reports the ranking certainty C\n"
         "(Eq. 15) on the camera before and after. Last stdout line: a JSON summary.",
         std::vector<FlagSpec>{
             {"model", "FILE", "base counting model", "the installed default"},
             {"video", "FILE", "the camera's footage (video file or image folder)"},
             {"frames", "A:B", "frames used for the ranking crops", "all"},
             {"roi", "POLY", "region of interest 'x,y x,y x,y ...' normalised 0..1"},
             {"out", "FILE", "adapted model bundle (written atomically)"},
             {"frame-counts", "CSV", "frame,count labels of some frames (people inside the ROI)"},
             {"frame-points", "FILE", "head points of some frames (JSON/CSV; image name holds the frame number)"},
             {"scales", "LIST", "candidate input scales tried against the frame labels", "base x 0.5,0.71,1,1.41,2"},
             {"input-scale", "X", "use this input scale (no search)"},
             {"iterations", "N", "adaptation iterations", "200"},
             {"input-size", "PX", "side of crops and patches (multiple of 16)", "224"},
             {"max-frames", "N", "frames kept for ranking crops", "200"},
             {"rank-sets", "N", "nested crop sets per iteration", "4"},
             {"rank-k", "N", "crops per nested set", "5"},
             {"rank-s", "X", "side ratio of consecutive crops", "0.75"},
             {"rank-r", "X", "anchor region = image / r", "8"},
             {"pairs", "MODE", "efficient | random | hard", "efficient"},
             {"lambda", "X", "weight of the ranking loss", "1"},
             {"batch", "N", "labelled patches per iteration", "4"},
             {"frame-batch", "N", "labelled frames (counts) per iteration", "2"},
             {"frame-weight", "X", "weight of the frame-count loss", "1"},
             {"anchor", "X", "weight of the anchor to the base outputs (default 1 without labels, else 0)"},
             {"train-bn", "", "let batch-norm statistics follow the camera (not recommended)"},
             {"certainty-frames", "N", "frames for the certainty C before/after", "20"},
             {"certainty-pairs", "K", "pairs per frame for C (Eq. 15)", "100"},
         } + labelled_flags() + density_flags() + optimiser_flags("adam", "1e-5") + run_flags());
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("adapt: unexpected argument '" + a.positional()[0] + "'");
  const auto t0 = std::chrono::steady_clock::now();
  const std::string video = a.required("video");
  const std::string out = a.required("out");
  check_output_path(out, "--out");
  apply_threads(a);
  std::string model = a.str("model");
  if (model.empty()) {
    model = default_model_path(Task::Count);
    if (model.empty()) throw InputError("--model: no default counting model is installed; give --model FILE");
  }
  const Roi roi = a.has("roi") ? parse_roi(a.str("roi"), "--roi") : Roi{};
  FrameRange range;
  if (a.has("frames")) range = parse_frame_range(a.str("frames"), "--frames");

  CountTrainOptions o;
  o.iterations = a.integer("iterations", 200, 1, 100000000);
  o.input_size = static_cast<int>(a.integer("input-size", 224, 16, 4096));
  o.rank_sets = static_cast<int>(a.integer("rank-sets", 4, 0, 4096));
  o.crops.k = static_cast<int>(a.integer("rank-k", 5, 2, 64));
  o.crops.s = a.real("rank-s", 0.75, 1e-3, 0.999);
  o.crops.r = a.real("rank-r", 8.0, 1.0, 1000.0);
  o.pairs = pair_mode_from_string(a.str("pairs", "efficient"));
  o.lambda = a.real("lambda", 1.0, 0.0, 1e9);
  o.batch = static_cast<int>(a.integer("batch", 4, 0, 4096));
  o.frame_batch = static_cast<int>(a.integer("frame-batch", 2, 0, 4096));
  o.frame_weight = a.real("frame-weight", 1.0, 0.0, 1e9);
  o.patch_min = o.input_size / 2;
  o.patch_max = o.input_size * 2;
  o.freeze_bn = !a.flag("train-bn");
  o.clip_norm = a.real("clip", 0.0, 0.0, 1e9);
  o.optimiser = optimiser_from(a, "adam", 1e-5);
  o.seed = seed_from(a);
  o.checkpoint_every = a.integer("checkpoint-every", 0, 0, 1L << 40);
  // Adaptation is short: checkpoints only when asked for.
  if (a.has("checkpoint") || o.checkpoint_every > 0) o.checkpoint_path = a.str("checkpoint", out + ".ckpt");
  o.log_path = a.str("log");
  o.log_every = a.integer("log-every", 10, 1, 1L << 40);
  o.progress = !a.flag("quiet");
  o.device = a.str("device", "cpu");
  const long max_frames = a.integer("max-frames", 200, 1, 1000000);
  ImageCertaintyOptions co;
  co.crops = o.crops;
  co.crops.out_size = o.input_size;
  co.pairs = a.integer("certainty-pairs", 100, 1, 100000);
  const long cert_frames = a.integer("certainty-frames", 20, 1, 100000);
  if (!o.log_path.empty()) check_output_path(o.log_path, "--log");
  if (a.has("resume")) throw InputError("adapt: --resume is not supported (adaptation is short; run it again)");

  ModelBundle bundle = load_bundle(model, Task::Count);
  const double base_scale = bundle.meta.input_scale;
  const auto density = density_from(a);

  // Labels of frames: counts and/or points, read before any work.
  std::map<long, double> frame_counts;
  if (a.has("frame-counts"))
    for (const auto& c : read_frame_counts_csv(a.str("frame-counts"))) frame_counts[c.frame] = c.count;
  std::map<long, Points> frame_points;
  if (a.has("frame-points")) {
    const std::string f = a.str("frame-points");
    if (!std::filesystem::exists(f)) throw_input_error(f, "no such file (--frame-points)");
    for (const auto& an : read_points(f)) frame_points[frame_index_of(an.image, f)] = an.points;
  }
  // Labelled sets keep the scale the base model was trained at.
  CountTrainData data;
  data.labelled = load_labelled(a, base_scale, density);

  // The camera: ranking frames (range) and labelled frames (anywhere in the video).
  std::vector<long> frame_indices;
  const auto frames_full = load_frames(video, range, max_frames, 1.0, &frame_indices);
  std::map<long, cv::Mat> labelled_frames;
  if (!frame_counts.empty() || !frame_points.empty()) {
    std::set<long> wanted;
    for (const auto& [f, c] : frame_counts) wanted.insert(f);
    for (const auto& [f, p] : frame_points) wanted.insert(f);
    auto src = FrameSource::open(video);
    cv::Mat frame;
    long index = 0;
    while (!wanted.empty() && src->next(frame, index)) {
      if (wanted.erase(index)) labelled_frames[index] = frame.clone();
      if (!wanted.empty() && index > *wanted.rbegin()) break;
    }
    if (!wanted.empty())
      throw InputError(video + ": has no frame " + std::to_string(*wanted.begin()) + " (named in the frame labels)");
  }
  const cv::Size frame_size = frames_full[0].size();
  const bool have_labels = !data.labelled.empty() || !labelled_frames.empty();

  // Frame truth for the scale search and the report: counts, or point counts inside the ROI.
  std::vector<std::pair<cv::Mat, double>> truth_frames;
  for (const auto& [f, img] : labelled_frames) {
    double t = 0;
    if (frame_counts.count(f)) {
      t = frame_counts[f];
    } else {
      const cv::Mat mask = roi.empty() ? cv::Mat() : roi_mask(roi, img.size());
      for (const auto& p : points_inside(frame_points[f], img.size()))
        if (mask.empty() || mask.at<uint8_t>(point_pixel(p)) > 0) t += 1;
    }
    truth_frames.emplace_back(img, t);
  }
  auto frames_mae = [&](RankNet& net, double scale) {
    std::vector<double> t, p;
    for (const auto& [img, c] : truth_frames) t.push_back(c), p.push_back(count_frame(net, img, scale, roi));
    return mae(t, p);
  };

  // Input scale: the fixed one, the best on the frame labels, or the base model's.
  bundle.net->eval();
  double scale = base_scale;
  nlohmann::json scale_search = nlohmann::json::array();
  if (a.has("input-scale")) {
    scale = a.real("input-scale", 1.0, 0.05, 8.0);
  } else if (!truth_frames.empty()) {
    std::vector<double> candidates;
    if (a.has("scales")) candidates = parse_scales(a.str("scales"));
    else for (double f : {0.5, 0.7071, 1.0, 1.4142, 2.0}) candidates.push_back(base_scale * f);
    double best = INFINITY;
    for (double s : candidates) {
      const double m = frames_mae(*bundle.net, s);
      scale_search.push_back({{"scale", s}, {"frame_mae", m}});
      std::cerr << "scale " << s << ": frame MAE " << m << "\n";
      if (m < best) best = m, scale = s;
    }
  }
  const double frame_mae_before = truth_frames.empty() ? NAN : frames_mae(*bundle.net, scale);

  // Ranking pool: the ROI's bounding box of every frame, at the chosen scale.
  const cv::Rect box = roi_box(roi, frame_size);
  for (const auto& f : frames_full) data.unlabelled.push_back(resize_by(f(box), scale).clone());
  for (const auto& [f, img] : labelled_frames) {
    const cv::Mat scaled = resize_by(img, scale);
    if (frame_counts.count(f)) {
      CountedFrame cf;
      cf.name = "frame " + std::to_string(f);
      cf.image = scaled;
      cf.count = frame_counts[f];
      if (!roi.empty()) cf.mask = roi_mask(roi, scaled.size());
      data.counted.push_back(cf);
    }
    if (frame_points.count(f))
      data.labelled.push_back(make_labelled_image("frame " + std::to_string(f), img, frame_points[f], scale, density));
  }
  std::vector<cv::Mat> cert_pool;
  for (long i = 0; i < cert_frames && i < static_cast<long>(data.unlabelled.size()); ++i)
    cert_pool.push_back(data.unlabelled[i * data.unlabelled.size() / std::min<size_t>(cert_frames, data.unlabelled.size())]);
  const double c_before = mean_certainty(*bundle.net, cert_pool, co);
  std::cerr << "certainty C before: " << c_before << " (" << cert_pool.size() << " frames, scale " << scale << ")\n";

  o.anchor_weight = a.real("anchor", have_labels ? 0.0 : 1.0, 0.0, 1e9);
  RankNetPtr anchor;
  if (o.anchor_weight > 0) anchor = load_bundle(model, Task::Count).net;
  torch::manual_seed(o.seed);
  install_stop_handler();
  const auto result = train_count(bundle, data, o, anchor, nullptr);
  if (result.interrupted) {
    std::cerr << "adapt: interrupted at iteration " << result.iterations_done << "; " << out << " not written\n";
    return 130;
  }
  const double c_after = mean_certainty(*bundle.net, cert_pool, co);
  const double frame_mae_after = truth_frames.empty() ? NAN : frames_mae(*bundle.net, scale);
  std::cerr << "certainty C after: " << c_after << "\n";

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json summary = {{"certainty_before", c_before}, {"certainty_after", c_after}, {"input_scale", scale},
                            {"frames", data.unlabelled.size()},  {"labelled_frames", truth_frames.size()},
                            {"iterations", result.iterations_done}, {"seconds", seconds}};
  if (!truth_frames.empty()) summary["frame_mae_before"] = frame_mae_before, summary["frame_mae_after"] = frame_mae_after;
  bundle.meta.input_scale = scale;
  bundle.meta.roi = roi;
  auto prov = bundle.meta.provenance;
  bundle.meta.provenance = {{"base", prov}, {"base_model", model}, {"command", command_line("adapt", argc, argv)},
                            {"adaptation", summary}, {"scale_search", scale_search}};
  save_bundle(out, bundle);
  std::cerr << "wrote " << out << "\n";
  summary["out"] = out;
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
