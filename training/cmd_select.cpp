// rankvision select: the labelling step of Algorithm 1. Every pool item
// (image or video frame) gets its ranking certainty C (Eq. 15) — the fraction
// of K known-order pairs of its ranked versions the model orders right — and
// the S least certain items are written as the list to label first.
// Counting models rank nested crops; quality models rank distortion ladders.
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "active/certainty.h"
#include "active/image_certainty.h"
#include "active/selection.h"
#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "count_sources.h"
#include "common/error.h"
#include "data/frame_source.h"
#include "data/image_io.h"
#include "data/tensor_convert.h"
#include "engine/engines.h"
#include "iqa_cli_util.h"
#include "train/iqa_trainer.h"
#include "train/progress.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

// C of a quality model on one image: distortion ladders of random crops,
// scored once each, K sampled pairs of one ladder.
double quality_certainty(RankNet& net, const cv::Mat& bgr, int64_t pairs, int crop, uint32_t seed,
                         const torch::Device& device) {
  std::mt19937 rng(seed);
  const cv::Mat image = bgr.cols < crop || bgr.rows < crop ? [&] {
    cv::Mat up;
    const double f = static_cast<double>(crop) / std::min(bgr.cols, bgr.rows);
    cv::resize(bgr, up, cv::Size(std::max(crop, static_cast<int>(bgr.cols * f + 1)),
                                 std::max(crop, static_cast<int>(bgr.rows * f + 1))));
    return up;
  }() : bgr;
  const DistortionSet set = DistortionSet::Tid2013;
  auto types = distortion_types(set);
  std::shuffle(types.begin(), types.end(), rng);
  // Enough ladders for K pairs (10 ordered pairs per ladder of 5), at most every type.
  const int levels = distortion_levels(set) + 1;
  const int64_t per_ladder = levels * (levels - 1) / 2;
  const size_t ladders = std::min<size_t>(types.size(), static_cast<size_t>((pairs + per_ladder - 1) / per_ladder));
  const cv::Mat region = random_square_crop(image, crop, rng);
  std::vector<cv::Mat> mats;
  std::vector<int64_t> group, rank;
  for (size_t t = 0; t < ladders; ++t) {
    for (auto& d : distortion_ladder(region, types[t], set, (static_cast<uint64_t>(rng()) << 32) | rng(),
                                     static_cast<int>(t))) {
      mats.push_back(d.image);
      group.push_back(d.group);
      rank.push_back(d.rank);
    }
  }
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = net.scalar(images_to_tensor(mats).to(device)).to(torch::kCPU);
  }
  auto g = torch::tensor(group, torch::kLong), r = torch::tensor(rank, torch::kLong);
  return ranking_certainty(y, r, sample_ranked_pairs(g, r, pairs, rng));
}

Args select_args() {
  Args args("select",
            "Active learning (Algorithm 1, Eq. 15): rank a pool of images or video frames by ranking\n"
            "certainty C and write the S least certain as the list to label first. Last stdout line: JSON.",
            {
                {"model", "FILE", "model bundle (counting: nested crops; quality: distortions)",
                 "the installed default counting model"},
                {"images", "DIR", "pool: a folder of images", ""},
                {"video", "FILE", "pool: the frames of a video file or of a folder of frames (items: frame indices)", ""},
                {"frames", "A:B[:S]", "frame range of --video (B exclusive, S stride)", "all"},
                {"budget", "S", "how many items to select", ""},
                {"pairs", "K", "ranked pairs checked per item (the paper: 100)", "100"},
                {"k", "N", "nested crops per set", "5"},
                {"s", "X", "side ratio between nested crops", "0.75"},
                {"r", "X", "anchor region = image side / r", "8"},
                {"crop", "N", "network input size of a crop", "224"},
                {"seed", "N", "random seed (item i uses seed + i)", "1"},
                {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
                threads_flag(),
                {"out", "LIST", "output list: one 'item,certainty' line per selected item, least certain first", ""},
            });
  return args;
}

struct SelectOptions {
  long budget = 0;
  std::string out;
  int64_t pairs = 100;
  ImageCertaintyOptions certainty;
  uint32_t seed = 1;
};

// Reads and checks the flags (but the pool and --model); applies --threads.
SelectOptions read_select_flags(const Args& args) {
  if (args.has("images") == args.has("video")) throw InputError("give exactly one pool: --images DIR or --video FILE");
  if (args.has("frames") && !args.has("video")) throw InputError("--frames needs --video");
  SelectOptions s;
  s.budget = args.integer("budget", 0, 1, 100000000);
  if (!args.has("budget")) throw InputError("--budget is required");
  s.out = args.required("out");
  check_output_file("--out", s.out);
  s.pairs = args.integer("pairs", 100, 1, 1000000);
  ImageCertaintyOptions& opt = s.certainty;
  opt.pairs = s.pairs;
  opt.crops.k = static_cast<int>(args.integer("k", 5, 2, 64));
  opt.crops.s = args.real("s", 0.75, 1e-3, 0.999);
  opt.crops.r = args.real("r", 8.0, 1.0, 1e6);
  opt.crops.out_size = static_cast<int>(args.integer("crop", 224, 16, 4096));
  validate(opt.crops);
  s.seed = static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L));
  apply_threads(args);
  return s;
}

// The pool: the images of --images, or the frames of --video in --frames.
std::unique_ptr<FrameSource> open_pool(const Args& args, FrameRange& range) {
  if (args.has("images")) {
    require_dir("--images", args.str("images"));
    return FrameSource::open(args.str("images"));
  }
  // A video file or a folder of frames (as adapt and eval-count read it); items are frame indices.
  if (!std::filesystem::exists(args.str("video")))
    throw_input_error(args.str("video"), "no such file or folder (--video)");
  if (args.has("frames")) range = parse_frame_range(args.str("frames"), "--frames");
  return FrameSource::open(args.str("video"), range);
}

// Every pool item (an image's file name, or a frame index) with its certainty C.
struct RankedPool {
  std::vector<std::string> items;
  std::vector<double> certainty;
};

RankedPool rank_pool(const Args& args, FrameSource& source, const FrameRange& range, const ModelBundle& bundle,
                     const SelectOptions& s, const torch::Device& device) {
  const bool quality = bundle.meta.spec.task == Task::Quality;
  const bool by_index = args.has("video");
  std::vector<std::string> files = by_index ? std::vector<std::string>{} : list_image_files(args.str("images"));
  RankedPool pool;
  cv::Mat frame;
  long index = 0;
  // Items the range yields (total_frames() is the whole video; unknown: <= 0).
  long total = source.total_frames();
  if (by_index && total > 0) {
    const long end = range.end >= 0 ? std::min(range.end, total) : total;
    total = end > range.first ? (end - range.first + range.stride - 1) / range.stride : 0;
  }
  Progress progress("select", total, 0, std::cerr);
  while (source.next(frame, index)) {
    // A counting model's per-camera ROI and input scale (from `adapt`) apply here too, as in adapt's
    // ranking pool: the crops come from the ROI's bounding box, resized like the element resizes frames.
    if (!quality) frame = resize_by(frame(roi_box(bundle.meta.roi, frame.size())), bundle.meta.input_scale);
    const uint32_t item_seed = s.seed + static_cast<uint32_t>(index);
    const int crop = s.certainty.crops.out_size;
    const double c = quality ? quality_certainty(*bundle.net, frame, s.pairs, crop, item_seed, device)
                             : certainty_of_image(*bundle.net, frame, s.certainty, item_seed);
    pool.items.push_back(by_index ? std::to_string(index) : files.at(static_cast<size_t>(index)));
    pool.certainty.push_back(c);
    progress.update(std::min<long>(static_cast<long>(pool.items.size()), total > 0 ? total : index + 1), "");
  }
  progress.finish();
  if (pool.items.empty()) throw InputError("pool is empty: no frames or images to rank");
  return pool;
}

// The --budget least certain items: the list to --out, a table and the JSON line to stdout.
void write_selection(const RankedPool& pool, const SelectOptions& s, const std::string& model, bool quality,
                     bool by_index) {
  const auto chosen = least_certain(pool.certainty, static_cast<size_t>(s.budget));
  std::ostringstream list;
  list << "# item,certainty (least certain first; " << (quality ? "distortion ladders" : "nested crops") << ", K="
       << s.pairs << ", model " << model << ")\n";
  nlohmann::json selected = nlohmann::json::array();
  std::cout << "pool " << pool.items.size() << " " << (by_index ? "frames" : "images") << ", selected "
            << chosen.size() << " least certain (K=" << s.pairs << "):\n";
  std::cout << "  #   certainty  item\n";
  for (size_t i = 0; i < chosen.size(); ++i) {
    const auto& item = pool.items[chosen[i]];
    list << item << "," << std::setprecision(6) << pool.certainty[chosen[i]] << "\n";
    selected.push_back({{"item", item}, {"certainty", pool.certainty[chosen[i]]}});
    std::cout << "  " << std::left << std::setw(4) << i + 1 << std::right << std::fixed << std::setprecision(3)
              << pool.certainty[chosen[i]] << "      " << item << "\n";
  }
  write_text_atomic(s.out, list.str());
  double mean = 0;
  for (double c : pool.certainty) mean += c;
  mean /= pool.certainty.size();
  std::cout << "mean certainty of the pool " << std::fixed << std::setprecision(3) << mean << "; list written to "
            << s.out << "\n";
  nlohmann::json result = {{"n", pool.items.size()},   {"budget", s.budget}, {"selected", selected},
                           {"mean_certainty", mean},   {"out", s.out},       {"pairs", s.pairs},
                           {"ranked_by", quality ? "distortions" : "nested_crops"}};
  std::cout << result.dump() << "\n";
}

}  // namespace

int cmd_select(int argc, char** argv) {
  Args args = select_args();
  if (!args.parse(argc, argv)) return 0;
  const SelectOptions s = read_select_flags(args);
  FrameRange range;
  std::unique_ptr<FrameSource> source = open_pool(args, range);
  std::string model = args.str("model", default_model_path(Task::Count));
  if (model.empty()) throw InputError("--model: not given and no default counting model is installed");
  ModelBundle bundle = load_bundle(model);
  const torch::Device device = parse_device(args.str("device", "cpu"));
  bundle.net->to(device);
  bundle.net->eval();

  const RankedPool pool = rank_pool(args, *source, range, bundle, s, device);
  write_selection(pool, s, model, bundle.meta.spec.task == Task::Quality, args.has("video"));
  return 0;
}

}  // namespace rv::cli
