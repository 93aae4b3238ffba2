// rankvision eval-count: MAE and MSE (root) of a counting model on labelled
// images (ShanghaiTech, point files) or video frames (MOT gt.txt, frame counts);
// GAME(0..3) for point labels, the density mass inside the people boxes for MOT.
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <optional>
#include <sstream>

#include "args.h"
#include "plot.h"
#include "commands.h"
#include "count_sources.h"
#include "common/error.h"
#include "data/annotations.h"
#include "data/frame_source.h"
#include "data/image_io.h"
#include "data/mot.h"
#include "data/shanghaitech.h"
#include "engine/engines.h"
#include "metrics/game.h"
#include "metrics/metrics.h"
#include "train/progress.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

struct Item {
  std::string name;
  double truth = 0;
  double predicted = 0;
};

constexpr int kGameLevels = 4;  // GAME(0) .. GAME(3)

// The engine's density (people per cell) as a GAME map.
DensityMap predicted_map(const CountResult& r) {
  DensityMap m;
  m.height = static_cast<int>(r.density.size(0));
  m.width = static_cast<int>(r.density.size(1));
  const float* v = r.density.data_ptr<float>();
  m.values.assign(v, v + static_cast<size_t>(m.height) * m.width);
  return m;
}

// The ground-truth points counted into the cells of the predicted map. A point
// is in the frame pixel it falls in (data/points.h: round half up), and that
// pixel in the cell covering it; points on the border are clamped to the grid.
DensityMap truth_map(const Points& points, const CountResult& r) {
  DensityMap m;
  m.height = static_cast<int>(r.density.size(0));
  m.width = static_cast<int>(r.density.size(1));
  m.values.assign(static_cast<size_t>(m.height) * m.width, 0.0);
  for (const auto& p : points) {
    const cv::Point px = point_pixel(p);
    const int j = std::clamp(static_cast<int>(std::floor(px.x / r.cell_width)), 0, m.width - 1);
    const int i = std::clamp(static_cast<int>(std::floor(px.y / r.cell_height)), 0, m.height - 1);
    m.values[static_cast<size_t>(i) * m.width + j] += 1.0;
  }
  return m;
}

// Positive density mass of the cells whose centres ((j+0.5)·cell_width,
// (i+0.5)·cell_height) lie in the union of the boxes, each grown by a quarter
// of its width and height on every side; and the frame's total positive mass.
std::pair<double, double> mass_in_boxes(const CountResult& r, const std::vector<MotBox>& boxes) {
  const int h = static_cast<int>(r.density.size(0)), w = static_cast<int>(r.density.size(1));
  std::vector<char> inside(static_cast<size_t>(h) * w, 0);
  // First cell index whose centre is >= v along an axis of `cell`-sized cells.
  auto first_cell = [](double v, double cell) { return static_cast<int>(std::ceil(v / cell - 0.5)); };
  for (const auto& b : boxes) {
    const double gx = b.box.width / 4.0, gy = b.box.height / 4.0;
    const double x0 = b.box.x - gx, x1 = b.box.x + b.box.width + gx;
    const double y0 = b.box.y - gy, y1 = b.box.y + b.box.height + gy;
    // Cells with x0 <= centre < x1 (likewise y).
    const int j0 = std::max(0, first_cell(x0, r.cell_width)), j1 = std::min(w, first_cell(x1, r.cell_width));
    const int i0 = std::max(0, first_cell(y0, r.cell_height)), i1 = std::min(h, first_cell(y1, r.cell_height));
    for (int i = i0; i < i1; ++i)
      for (int j = j0; j < j1; ++j) inside[static_cast<size_t>(i) * w + j] = 1;
  }
  const float* v = r.density.data_ptr<float>();
  double in = 0, total = 0;
  for (size_t k = 0; k < inside.size(); ++k) {
    const double m = std::max(0.0, static_cast<double>(v[k]));
    total += m;
    if (inside[k]) in += m;
  }
  return {in, total};
}

Args eval_count_args() {
  Args a("eval-count",
         "MAE and MSE (root mean squared error, as in the paper) of a counting model. One source:\n"
         "  --shanghaitech DIR | --points FILE --images DIR | --video FILE --mot-gt gt.txt [--frames A:B]\n"
         "  | --video FILE --frame-counts CSV\n"
         "The model's input scale and ROI (from `adapt`) apply. Last stdout line: {\"mae\",\"mse\",\"n\"}, and:\n"
         "  point labels: \"game\": [GAME(0), GAME(1), GAME(2), GAME(3)] (Guerrero-Gomez-Olmedo et al.), the\n"
         "    mean over images of the summed absolute count errors of the 2^L x 2^L regions of the density\n"
         "    map, against the points counted into its cells; a level needing more cells than the smallest\n"
         "    map has is null (said on stderr);\n"
         "  --mot-gt: \"in_boxes\": the fraction of the positive density mass (over all evaluated frames)\n"
         "    in cells whose centres lie inside the people boxes, each grown by a quarter of its width and\n"
         "    height on every side (null when there is no positive mass).",
         model_flags() + std::vector<FlagSpec>{
          {"shanghaitech", "DIR", "DIR/images + DIR/ground-truth"},
          {"points", "FILE", "point annotations (JSON/CSV) of the images in --images"},
          {"images", "DIR", "image folder for --points"},
          {"video", "FILE", "video (or image folder) with --mot-gt or --frame-counts"},
          {"mot-gt", "FILE", "MOTChallenge gt.txt (frame N+1 is video frame N)"},
          {"frame-counts", "CSV", "frame,count rows"},
          {"frames", "A:B", "frame range of --video", "all"},
          {"csv", "FILE", "per-image results: name,truth,predicted,error"},
          {"plot", "FILE.png", "predicted against true count, one dot per image or frame, with the y = x line"},
          {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
          {"threads", "N", "LibTorch threads"},
          {"max-size", "PX", "downscale inputs so the long side is at most PX (0 = off)", "0"},
          {"holdout", "N", "--shanghaitech: only the N images `train-count --val N --seed S` held out"},
          {"seed", "S", "the --seed of that train-count run (with --holdout)", "1"},
          {"mirror", "", "count every image or frame mirrored left to right, its labels too"},
          {"quiet", "", "no per-image lines"}});
  return a;
}

// Exactly one source, and only the flags that go with it.
void check_source_flags(const Args& a) {
  const int sources = a.has("shanghaitech") + a.has("points") + a.has("video");
  if (sources != 1) throw InputError("eval-count: give exactly one of --shanghaitech, --points, --video");
  if (a.has("video") && a.has("mot-gt") == a.has("frame-counts"))
    throw InputError("eval-count --video: give exactly one of --mot-gt or --frame-counts");
  if (!a.has("video") && (a.has("mot-gt") || a.has("frame-counts") || a.has("frames")))
    throw InputError("eval-count: --mot-gt, --frame-counts and --frames go with --video");
  if (a.has("points") && !a.has("images")) throw InputError("eval-count --points: needs --images DIR");
}

// Every labelled image or frame through the engine, and what the metrics need of it.
struct Evaluation {
  Evaluation(CrowdCounter& counter, bool quiet, bool mirror) : counter(counter), quiet(quiet), mirror(mirror) {}

  CrowdCounter& counter;
  bool quiet = false;
  // --mirror: every image and its labels mirrored left to right before counting.
  bool mirror = false;
  std::vector<Item> items;
  // Point labels: per-image maps for GAME.
  std::vector<DensityMap> truth_maps, predicted_maps;
  // --mot-gt: positive density mass inside the grown people boxes, and in all.
  bool boxes = false;
  double mass_in = 0, mass_total = 0;

  CountResult run(const std::string& name, const cv::Mat& bgr, double truth) {
    cv::Mat mirrored;
    if (mirror) cv::flip(bgr, mirrored, 1);
    auto r = count_bgr(counter, mirror ? mirrored : bgr);
    items.push_back({name, truth, r.count});
    if (!quiet) std::cout << name << "  truth " << truth << "  predicted " << r.count << "\n";
    return r;
  }
  void run_points(const std::string& name, const cv::Mat& bgr, const Points& points) {
    Points inside = points_inside(points, bgr.size());
    if (mirror) mirror_points(inside, bgr.cols);
    const auto r = run(name, bgr, static_cast<double>(inside.size()));
    truth_maps.push_back(truth_map(inside, r));
    predicted_maps.push_back(predicted_map(r));
  }
  void run_boxes(const std::string& name, const cv::Mat& bgr, double truth, std::vector<MotBox> people) {
    if (mirror)
      for (auto& b : people) b.box.x = bgr.cols - b.box.x - b.box.width;
    const auto [in, total] = mass_in_boxes(run(name, bgr, truth), people);
    mass_in += in;
    mass_total += total;
  }
};

void evaluate_shanghaitech(const Args& a, Evaluation& ev) {
  std::string dir = a.str("shanghaitech");
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw_input_error(dir, "no such directory (--shanghaitech)");
  if (!fs::exists(fs::path(dir) / "images") && fs::exists(fs::path(dir) / "test_data" / "images"))
    dir = (fs::path(dir) / "test_data").string();
  auto list = list_shanghaitech(dir);
  if (a.has("holdout")) {
    // The images `train-count --shanghaitech DIR --val N --seed S` held out: the same shuffle of the same list.
    const long n = a.integer("holdout", 1, 1, 1000000);
    if (n >= static_cast<long>(list.size()))
      throw InputError("--holdout " + std::to_string(n) + ": " + dir + " has only " + std::to_string(list.size()) +
                       " images");
    std::mt19937 split_rng(static_cast<uint32_t>(a.integer("seed", 1, 0, 4294967295L)));
    std::shuffle(list.begin(), list.end(), split_rng);
    list.resize(static_cast<size_t>(n));
  }
  // Read every annotation first: a bad file fails before minutes of inference.
  std::vector<ShanghaiTechAnnotation> anns;
  for (const auto& it : list) anns.push_back(read_shanghaitech_mat(it.annotation_path));
  for (size_t i = 0; i < list.size(); ++i) {
    const cv::Mat img = read_image(list[i].image_path);
    ev.run_points(fs::path(list[i].image_path).filename().string(), img, anns[i].points);
  }
}

void evaluate_points(const Args& a, Evaluation& ev) {
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
    ev.run_points(an.image, img, an.points);
  }
}

void evaluate_video(const Args& a, Evaluation& ev) {
  const std::string video = a.str("video");
  FrameRange range;
  if (a.has("frames")) range = parse_frame_range(a.str("frames"), "--frames");
  std::map<long, double> truth;
  std::optional<MotGroundTruth> mot;
  if (a.has("mot-gt")) {
    mot = MotGroundTruth::load(a.str("mot-gt"));
    // Frames missing from gt.txt hold nobody; evaluate up to the last annotated frame.
    for (int f = 1; f <= mot->last_frame(); ++f) truth[mot_frame_to_video_index(f)] = mot->count(f);
  } else {
    const auto counts = read_frame_counts_csv(a.str("frame-counts"));
    if (counts.empty()) throw_input_error(a.str("frame-counts"), "no frame,count rows");
    for (const auto& c : counts) truth[c.frame] = c.count;
  }
  ev.boxes = mot.has_value();
  auto source = FrameSource::open(video, range);
  cv::Mat frame;
  long index = 0;
  while (source->next(frame, index)) {
    const auto it = truth.find(index);
    if (it == truth.end()) {
      if (mot && index > truth.rbegin()->first) break;
      continue;
    }
    const std::string name = "frame " + std::to_string(index);
    if (mot)
      ev.run_boxes(name, frame, it->second, mot->people(video_index_to_mot_frame(static_cast<int>(index))));
    else
      ev.run(name, frame, it->second);
  }
}

void write_items_csv(const std::string& csv, const std::vector<Item>& items) {
  std::ofstream f(csv);
  if (!f) throw_input_error(csv, "cannot write");
  f << "name,truth,predicted,error\n";
  f.precision(8);
  for (const auto& i : items)
    f << i.name << "," << i.truth << "," << i.predicted << "," << i.predicted - i.truth << "\n";
}

// GAME(0..3) of the point-labelled images into summary["game"] and the stdout line.
void report_game(const Evaluation& ev, nlohmann::json& summary, std::ostringstream& extra) {
  // A level is reported only if every image's map has at least 2^L cells on its smaller side.
  int smallest = std::numeric_limits<int>::max();
  for (const auto& t : ev.truth_maps) smallest = std::min({smallest, t.height, t.width});
  nlohmann::json game_json = nlohmann::json::array();
  extra << "  GAME";
  for (int level = 0; level < kGameLevels; ++level) {
    if ((1 << level) > smallest) {
      std::cerr << "eval-count: GAME(" << level << ") skipped: the smallest density map has " << smallest
                << " cells on a side, fewer than the " << (1 << level) << " the level needs\n";
      game_json.push_back(nullptr);
      extra << " -";
    } else {
      const double g = mean_game(ev.truth_maps, ev.predicted_maps, level);
      game_json.push_back(g);
      extra << " " << g;
    }
  }
  summary["game"] = game_json;
}

// The share of the density mass inside the people boxes (--mot-gt) into summary["in_boxes"] and the stdout line.
void report_in_boxes(const Evaluation& ev, nlohmann::json& summary, std::ostringstream& extra) {
  if (ev.mass_total > 0) {
    const double frac = ev.mass_in / ev.mass_total;
    summary["in_boxes"] = frac;
    extra << "  in boxes " << frac;
  } else {
    summary["in_boxes"] = nullptr;
    extra << "  in boxes - (no positive density)";
  }
}

// --plot: predicted against true count per image or frame (plot.h, shared with active-sim).
void write_items_plot(const std::string& path, const std::vector<Item>& items, const CountMetrics& m,
                      const std::string& model) {
  PlotSpec spec;
  std::ostringstream title;
  title << std::filesystem::path(model).filename().string() << ": MAE " << std::fixed << std::setprecision(2) << m.mae
        << " over " << items.size();
  spec.title = title.str();
  spec.x_label = "true count";
  spec.y_label = "predicted count";
  spec.diagonal = true;
  PlotSeries dots{"", {}, {}, cv::Scalar(40, 40, 220), false};
  for (const auto& i : items) dots.x.push_back(i.truth), dots.y.push_back(i.predicted);
  spec.series = {dots};
  write_plot_png(path, draw_plot(spec));
}

}  // namespace

int cmd_eval_count(int argc, char** argv) {
  Args a = eval_count_args();
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("eval-count: unexpected argument '" + a.positional()[0] + "'");
  check_source_flags(a);
  const std::string csv = a.str("csv");
  if (!csv.empty()) check_output_path(csv, "--csv");
  const std::string plot = a.str("plot");
  if (!plot.empty()) check_output_path(plot, "--plot");
  apply_threads(a);

  const std::string model = counting_model_path(a);
  EngineOptions eo;
  eo.device = a.str("device", "cpu");
  eo.max_input_size = static_cast<int>(a.integer("max-size", 0, 0, 100000));
  auto counter = counter_from_flags(a, model, eo);
  Evaluation ev(*counter, a.flag("quiet"), a.flag("mirror"));
  if (a.has("shanghaitech"))
    evaluate_shanghaitech(a, ev);
  else if (a.has("points"))
    evaluate_points(a, ev);
  else
    evaluate_video(a, ev);
  if (ev.items.empty()) throw InputError("eval-count: no labelled frame or image to evaluate (check --frames)");

  std::vector<double> t, p;
  for (const auto& i : ev.items) t.push_back(i.truth), p.push_back(i.predicted);
  const auto m = count_metrics(t, p);
  if (!csv.empty()) write_items_csv(csv, ev.items);
  nlohmann::json summary = {{"mae", m.mae}, {"mse", m.mse}, {"n", ev.items.size()}};
  if (!plot.empty()) {
    write_items_plot(plot, ev.items, m, model);
    summary["plot"] = plot;
  }
  std::ostringstream extra;
  if (!ev.truth_maps.empty()) report_game(ev, summary, extra);
  if (ev.boxes) report_in_boxes(ev, summary, extra);
  std::cout << "model " << model << ": MAE " << m.mae << "  MSE " << m.mse << extra.str() << "  over "
            << ev.items.size() << "\n";
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
