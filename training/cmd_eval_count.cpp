// rankvision eval-count: MAE and MSE (root) of a counting model on labelled
// images (ShanghaiTech, point files) or video frames (MOT gt.txt, frame counts).
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "args.h"
#include "commands.h"
#include "common/error.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "data/mot.h"
#include "data/shanghaitech.h"
#include "engine/engines.h"
#include "metrics/metrics.h"
#include "train/count_data.h"
#include "train/progress.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

ImageView view_of(const cv::Mat& bgr) {
  ImageView v;
  v.data = bgr.data;
  v.width = bgr.cols;
  v.height = bgr.rows;
  v.stride = bgr.step[0];
  v.format = PixelFormat::BGR;
  return v;
}

struct Item {
  std::string name;
  double truth = 0;
  double predicted = 0;
};

}  // namespace

int cmd_eval_count(int argc, char** argv) {
  Args a("eval-count",
         "MAE and MSE (root mean squared error, as in the paper) of a counting model. One source:\n"
         "  --shanghaitech DIR | --points FILE --images DIR | --video FILE --mot-gt gt.txt [--frames A:B]\n"
         "  | --video FILE --frame-counts CSV\n"
         "The model's input scale and ROI (from `adapt`) apply. Last stdout line: {\"mae\",\"mse\",\"n\"}.",
         {{"model", "FILE", "counting model bundle", "the installed default"},
          {"shanghaitech", "DIR", "DIR/images + DIR/ground-truth"},
          {"points", "FILE", "point annotations (JSON/CSV) of the images in --images"},
          {"images", "DIR", "image folder for --points"},
          {"video", "FILE", "video (or image folder) with --mot-gt or --frame-counts"},
          {"mot-gt", "FILE", "MOTChallenge gt.txt (frame N+1 is video frame N)"},
          {"frame-counts", "CSV", "frame,count rows"},
          {"frames", "A:B", "frame range of --video", "all"},
          {"csv", "FILE", "per-image results: name,truth,predicted,error"},
          {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
          {"threads", "N", "LibTorch threads"},
          {"max-size", "PX", "downscale inputs so the long side is at most PX (0 = off)", "0"},
          {"quiet", "", "no per-image lines"}});
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("eval-count: unexpected argument '" + a.positional()[0] + "'");
  const int sources = a.has("shanghaitech") + a.has("points") + a.has("video");
  if (sources != 1) throw InputError("eval-count: give exactly one of --shanghaitech, --points, --video");
  if (a.has("video") && a.has("mot-gt") == a.has("frame-counts"))
    throw InputError("eval-count --video: give exactly one of --mot-gt or --frame-counts");
  if (!a.has("video") && (a.has("mot-gt") || a.has("frame-counts") || a.has("frames")))
    throw InputError("eval-count: --mot-gt, --frame-counts and --frames go with --video");
  if (a.has("points") && !a.has("images")) throw InputError("eval-count --points: needs --images DIR");
  const std::string csv = a.str("csv");
  if (!csv.empty()) check_output_path(csv, "--csv");
  apply_threads(a);

  std::string model = a.str("model");
  if (model.empty()) {
    model = default_model_path(Task::Count);
    if (model.empty())
      throw InputError("--model: no default counting model is installed; give --model FILE "
                       "(set RANKVISION_MODEL_DIR or train one with `rankvision train-count`)");
  }
  EngineOptions eo;
  eo.device = a.str("device", "cpu");
  eo.max_input_size = static_cast<int>(a.integer("max-size", 0, 0, 100000));
  auto counter = CrowdCounter::from_file(model, eo);
  const bool quiet = a.flag("quiet");

  std::vector<Item> items;
  auto run = [&](const std::string& name, const cv::Mat& bgr, double truth) {
    cv::Mat img = bgr.isContinuous() ? bgr : bgr.clone();
    const auto r = counter->count(view_of(img));
    items.push_back({name, truth, r.count});
    if (!quiet) std::cout << name << "  truth " << truth << "  predicted " << r.count << "\n";
  };

  if (a.has("shanghaitech")) {
    std::string dir = a.str("shanghaitech");
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir)) throw_input_error(dir, "no such directory (--shanghaitech)");
    if (!fs::exists(fs::path(dir) / "images") && fs::exists(fs::path(dir) / "test_data" / "images"))
      dir = (fs::path(dir) / "test_data").string();
    const auto list = list_shanghaitech(dir);
    // Read every annotation first: a bad file fails before minutes of inference.
    std::vector<ShanghaiTechAnnotation> anns;
    for (const auto& it : list) anns.push_back(read_shanghaitech_mat(it.annotation_path));
    for (size_t i = 0; i < list.size(); ++i) {
      const cv::Mat img = read_image(list[i].image_path);
      run(fs::path(list[i].image_path).filename().string(), img,
          static_cast<double>(points_inside(anns[i].points, img.size()).size()));
    }
  } else if (a.has("points")) {
    const std::string file = a.str("points"), dir = a.str("images");
    if (!std::filesystem::exists(file)) throw_input_error(file, "no such file (--points)");
    if (!std::filesystem::is_directory(dir)) throw_input_error(dir, "no such directory (--images)");
    const auto anns = read_points(file);
    if (anns.empty()) throw_input_error(file, "no annotated images");
    for (const auto& an : anns) {
      const std::string path = (std::filesystem::path(dir) / an.image).string();
      if (an.image.empty() || !std::filesystem::exists(path))
        throw_input_error(path, "image named in " + file + " does not exist");
    }
    for (const auto& an : anns) {
      const cv::Mat img = read_image((std::filesystem::path(dir) / an.image).string());
      run(an.image, img, static_cast<double>(points_inside(an.points, img.size()).size()));
    }
  } else {
    const std::string video = a.str("video");
    FrameRange range;
    if (a.has("frames")) range = parse_frame_range(a.str("frames"), "--frames");
    std::map<long, double> truth;
    bool all_frames = false;
    if (a.has("mot-gt")) {
      const auto gt = MotGroundTruth::load(a.str("mot-gt"));
      // Frames missing from gt.txt hold nobody; evaluate up to the last annotated frame.
      all_frames = true;
      for (int f = 1; f <= gt.last_frame(); ++f) truth[mot_frame_to_video_index(f)] = gt.count(f);
    } else {
      const auto counts = read_frame_counts_csv(a.str("frame-counts"));
      if (counts.empty()) throw_input_error(a.str("frame-counts"), "no frame,count rows");
      for (const auto& c : counts) truth[c.frame] = c.count;
    }
    auto source = FrameSource::open(video, range);
    cv::Mat frame;
    long index = 0;
    while (source->next(frame, index)) {
      const auto it = truth.find(index);
      if (it == truth.end()) {
        if (all_frames && index > truth.rbegin()->first) break;
        continue;
      }
      run("frame " + std::to_string(index), frame, it->second);
    }
  }
  if (items.empty()) throw InputError("eval-count: no labelled frame or image to evaluate (check --frames)");

  std::vector<double> t, p;
  for (const auto& i : items) t.push_back(i.truth), p.push_back(i.predicted);
  const auto m = count_metrics(t, p);
  if (!csv.empty()) {
    std::ofstream f(csv);
    if (!f) throw_input_error(csv, "cannot write");
    f << "name,truth,predicted,error\n";
    f.precision(8);
    for (const auto& i : items) f << i.name << "," << i.truth << "," << i.predicted << "," << i.predicted - i.truth << "\n";
  }
  std::cout << "model " << model << ": MAE " << m.mae << "  MSE " << m.mse << "  over " << items.size() << "\n";
  std::cout << nlohmann::json({{"mae", m.mae}, {"mse", m.mse}, {"n", items.size()}}).dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
