// rankvision adapt: per-camera self-supervised adaptation. The recipe lives in
// core (train/adapt.h); this file reads the flags, the footage and the labels.
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"
#include "count_sources.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "data/image_io.h"
#include "train/adapt.h"
#include "train/stop_signal.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

long frame_index_of(const std::string& name, const std::string& file) {
  // The last run of digits: "frame_000123.png" → 123, "42" → 42.
  long end = static_cast<long>(name.size()) - 1;
  while (end >= 0 && !std::isdigit(static_cast<unsigned char>(name[end]))) --end;
  long begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1]))) --begin;
  if (end < 0) throw_input_error(file, "image name '" + name + "' holds no frame number");
  return std::stol(name.substr(begin, end - begin + 1));
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

// The labels of --frame-counts / --frame-points and the frames they name (read
// from the video before any work, so a bad label fails early).
CameraLabels read_camera_labels(const Args& a, const std::string& video) {
  CameraLabels labels;
  if (a.has("frame-counts"))
    for (const auto& c : read_frame_counts_csv(a.str("frame-counts"))) labels.counts[c.frame] = c.count;
  if (a.has("frame-points")) {
    const std::string f = a.str("frame-points");
    if (!std::filesystem::exists(f)) throw_input_error(f, "no such file (--frame-points)");
    for (const auto& an : read_points(f)) labels.points[frame_index_of(an.image, f)] = an.points;
  }
  std::set<long> wanted;
  for (const auto& [f, c] : labels.counts) wanted.insert(f);
  for (const auto& [f, p] : labels.points) wanted.insert(f);
  if (wanted.empty()) return labels;
  auto src = FrameSource::open(video);
  cv::Mat frame;
  long index = 0;
  while (!wanted.empty() && src->next(frame, index)) {
    if (wanted.erase(index)) labels.frames[index] = frame.clone();
    if (!wanted.empty() && index > *wanted.rbegin()) break;
  }
  if (!wanted.empty())
    throw InputError(video + ": has no frame " + std::to_string(*wanted.begin()) + " (named in the frame labels)");
  return labels;
}

// The recipe's options from the flags (ranges checked here, before any work).
AdaptOptions adapt_options(const Args& a, const std::string& out) {
  CountTrainOptions o;
  o.iterations = a.integer("iterations", 200, 0, 100000000);
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
  ImageCertaintyOptions co;
  co.crops = o.crops;
  co.crops.out_size = o.input_size;
  co.pairs = a.integer("certainty-pairs", 100, 1, 100000);
  if (!o.log_path.empty()) check_output_path(o.log_path, "--log");
  if (a.has("resume")) throw InputError("adapt: --resume is not supported (adaptation is short; run it again)");

  AdaptOptions ao;
  ao.train = o;
  ao.density = density_from(a);
  if (a.has("roi")) ao.roi = parse_roi(a.str("roi"), "--roi");
  if (a.has("input-scale")) ao.input_scale = a.real("input-scale", 1.0, 0.05, 8.0);
  if (a.has("scales")) ao.scales = parse_scales(a.str("scales"));
  ao.holdout = a.integer("holdout", 0, 0, 1000000);
  ao.median_frame = a.flag("median-frame") || a.has("median-count");
  ao.median_count = a.real("median-count", 0.0, 0.0, 1e6);
  ao.motion_negatives = a.integer("motion-negatives", 0, 0, 1000000);
  ao.motion.threshold = static_cast<int>(a.integer("motion-threshold", 30, 1, 254));
  ao.motion.min_area = static_cast<int>(a.integer("motion-min-area", 150, 1, 1L << 30));
  ao.motion_singles = a.flag("motion-singles");
  if (ao.motion_singles && ao.motion_negatives == 0)
    throw InputError("--motion-singles: needs --motion-negatives N (the lone walkers are found in those frames)");
  ao.fit_count_factor = a.flag("fit-count-factor");
  ao.static_peaks = a.real("static-peaks", 0.0, 0.0, 0.999);
  ao.certainty = co;
  ao.certainty_frames = a.integer("certainty-frames", 20, 1, 100000);
  ao.anchor_weight = a.has("anchor") ? a.real("anchor", 1.0, 0.0, 1e9) : -1.0;

  return ao;
}

}  // namespace

int cmd_adapt(int argc, char** argv) {
  Args a("adapt",
         "Adapt a counting model to one camera from its own footage: ranking loss on nested crops of the\n"
         "camera's frames (batch norm frozen), kept from drifting by labelled data (--shanghaitech /\n"
         "--points + --images), a few labelled frames (--frame-counts, --frame-points) or, with none of\n"
         "these, an anchor to the base model. With frame labels the input scale that fits them best is\n"
         "chosen from --scales (on the frames not held out by --holdout); scale and --roi go into the output\n"
         "bundle. Reports the ranking certainty C and the MAE of fitted and held-out frames before and after.\n"
         "Last stdout line: a JSON summary.",
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
             {"iterations", "N", "adaptation iterations (0: only the scale and, with --fit-count-factor, a factor)", "200"},
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
             {"holdout", "N", "labelled frames held out: not fitted, not used to pick the scale; their MAE is reported"},
             {"median-frame", "", "add the footage's per-pixel median (nearly the empty scene) as a frame with count 0"},
             {"median-count", "X", "the median frame's count when people who stand still remain in it (implies --median-frame)"},
             {"median-out", "FILE", "write the median frame (PNG) to look at"},
             {"motion-negatives", "N", "N frames of the footage, evenly spread, whose background (away from what moves against the median) counts 0; they join the counted frames"},
             {"motion-threshold", "T", "colour difference from the median that marks what moves (0-255)", "30"},
             {"motion-min-area", "PX", "smallest moving blob, in pixels of the full frame", "150"},
             {"motion-singles", "", "in the --motion-negatives frames, each lone walker (a moving blob as tall as a person at its row, by a line fitted to the footage's blobs, of a walker's shape, apart from other blobs) is a window that holds 1 person"},
             {"static-peaks", "T", "peak-counting models (centernet_peaks): peaks of the footage's temporal median scoring above T are static objects (a sign, a post), and peaks within 2 cells of them are not counted (people who stand still all along are in the median too: check it with --median-out)", "0 (off)"},
             {"fit-count-factor", "", "pick the scale with a count factor per scale and multiply the counts by the factor that fits the counted frames"},
             {"certainty-pairs", "K", "pairs per frame for C (Eq. 15)", "100"},
             freeze_trunk_flag(" (more than it has: only the head adapts)"),
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
  FrameRange range;
  if (a.has("frames")) range = parse_frame_range(a.str("frames"), "--frames");

  const AdaptOptions ao = adapt_options(a, out);
  const long max_frames = a.integer("max-frames", 200, 1, 1000000);
  const int freeze_layers = freeze_trunk_from(a);
  const std::string median_out = a.str("median-out");
  if (!median_out.empty()) check_output_path(median_out, "--median-out");
  ModelBundle bundle = load_bundle(model, Task::Count);
  freeze_trunk(*bundle.net, freeze_layers, &std::cerr);
  const CameraLabels labels = read_camera_labels(a, video);
  // Labelled sets keep the scale the base model was trained at.
  auto labelled = load_labelled(a, bundle.meta.input_scale, ao.density);
  const auto footage = load_frames(video, range, max_frames, 1.0);
  install_stop_handler();
  const auto result = adapt_to_camera(bundle, footage, labels, std::move(labelled), ao,
                                      [&] { return load_bundle(model, Task::Count).net; });
  if (result.interrupted) {
    std::cerr << "adapt: interrupted; " << out << " not written\n";
    return 130;
  }
  if (!median_out.empty() && !result.median.empty()) {
    if (!cv::imwrite(median_out, result.median)) throw_input_error(median_out, "cannot write the median frame");
    std::cerr << "wrote the temporal median to " << median_out << " (look at it: people who stay remain in it)\n";
  }
  auto summary = result.summary;
  summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto prov = bundle.meta.provenance;
  bundle.meta.provenance = {{"base", prov}, {"base_model", model}, {"command", command_line("adapt", argc, argv)},
                            {"adaptation", summary}};
  save_bundle(out, bundle);
  std::cerr << "wrote " << out << "\n";
  summary["out"] = out;
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
