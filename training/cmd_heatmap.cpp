// rankvision heatmap: what a counting model sees. For a few images or video
// frames, one PNG with a row per input: the image, and the predicted density
// (jet colour map, blended) with the count, both through the element's engine
// (the model's input scale and ROI apply).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "common/error.h"
#include "data/frame_source.h"
#include "data/image_io.h"
#include "engine/engines.h"
#include "count_sources.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void text(cv::Mat& image, const std::string& s, cv::Point at, double size = 0.6) {
  cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, size, cv::Scalar(0, 0, 0), 4, cv::LINE_AA);
  cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, size, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

Args heatmap_args() {
  Args a("heatmap",
         "Write one PNG showing where a counting model puts people: per input a row with the image and\n"
         "its predicted density (jet on the square root of the density, blended; the scale is shared\n"
         "by all rows and given in people per 8x8 frame pixels) and the count. Inputs: --images A,B,... or --video FILE --frames N,M,...\n"
         "Last stdout line: JSON with the counts.",
         model_flags() + std::vector<FlagSpec>{
          {"images", "LIST", "comma-separated image files"},
          {"video", "FILE", "a video (or image folder)"},
          {"frames", "LIST", "comma-separated 0-based frame indices of --video"},
          {"width", "PX", "width of each picture in the PNG", "480"},
          {"alpha", "X", "opacity of the density colours", "0.6"},
          {"title", "TEXT", "a line of text above the rows"},
          {"out", "FILE", "output PNG (required)"},
          {"threads", "N", "LibTorch threads"}});
  return a;
}

using Inputs = std::vector<std::pair<std::string, cv::Mat>>;  // (name, BGR image)

// The frames of --video named by --frames (0-based indices).
Inputs read_frames(const Args& a) {
  std::set<long> wanted;
  for (const auto& f : split_list(a.str("frames"))) {
    try {
      size_t used = 0;
      const long v = std::stol(f, &used);
      if (used != f.size() || v < 0) throw std::invalid_argument(f);
      wanted.insert(v);
    } catch (const std::exception&) {
      throw InputError("--frames: '" + f + "' is not a frame index (0, 1, ...)");
    }
  }
  Inputs inputs;
  auto source = FrameSource::open(a.str("video"), FrameRange{});
  cv::Mat frame;
  long index = 0;
  while (!wanted.empty() && index <= *wanted.rbegin() && source->next(frame, index)) {
    if (wanted.count(index)) inputs.emplace_back("frame " + std::to_string(index), frame.clone());
  }
  if (inputs.size() != wanted.size())
    throw InputError("--video " + a.str("video") + ": has only " + std::to_string(index + 1) +
                     " frames, fewer than --frames asks for");
  return inputs;
}

Inputs read_inputs(const Args& a) {
  Inputs inputs;
  if (a.has("images")) {
    for (const auto& p : split_list(a.str("images"))) inputs.emplace_back(std::filesystem::path(p).filename().string(), read_image(p));
  } else {
    inputs = read_frames(a);
  }
  if (inputs.empty()) throw InputError("heatmap: no input");
  return inputs;
}

// The engine's result of every input, and the largest density of them all (the shared colour scale:
// people per 8x8 frame pixels; 1 when there is none).
std::vector<CountResult> count_inputs(CrowdCounter& counter, const Inputs& inputs, double& peak) {
  std::vector<CountResult> results;
  peak = 0;
  for (const auto& in : inputs) {
    results.push_back(count_bgr(counter, in.second));
    const auto& r = results.back();
    const double per64 = 64.0 / (r.cell_width * r.cell_height);
    peak = std::max(peak, r.density.max().item<double>() * per64);
  }
  if (!(peak > 0)) peak = 1;
  return results;
}

// The image with its density blended in, colours on the shared scale.
cv::Mat blend_density(const cv::Mat& img, const CountResult& r, double peak, double alpha) {
  const double per64 = 64.0 / (r.cell_width * r.cell_height);
  const auto d = r.density.contiguous();
  cv::Mat cells(static_cast<int>(d.size(0)), static_cast<int>(d.size(1)), CV_32F, d.data_ptr<float>());
  cv::Mat scaled;
  cells.convertTo(scaled, CV_32F, per64 / peak);
  cv::max(scaled, 0.0, scaled);
  cv::min(scaled, 1.0, scaled);
  cv::sqrt(scaled, scaled);  // gamma 0.5: sparse people (large, spread out) stay visible next to dense crowds
  // Cells cover cell_width x cell_height frame pixels from the top left.
  cv::Mat up;
  const cv::Size cover(static_cast<int>(std::lround(d.size(1) * r.cell_width)),
                       static_cast<int>(std::lround(d.size(0) * r.cell_height)));
  cv::resize(scaled, up, cover, 0, 0, cv::INTER_LINEAR);
  up = up(cv::Rect(0, 0, std::min(up.cols, img.cols), std::min(up.rows, img.rows))).clone();
  cv::Mat u8, colour;
  up.convertTo(u8, CV_8U, 255.0);
  cv::applyColorMap(u8, colour, cv::COLORMAP_JET);
  cv::Mat blended = img.clone();
  cv::Mat roi = blended(cv::Rect(0, 0, colour.cols, colour.rows));
  // Opacity follows the density, so empty cells leave the picture as it is.
  for (int y = 0; y < colour.rows; ++y)
    for (int x = 0; x < colour.cols; ++x) {
      const float w = static_cast<float>(alpha) * std::min(1.0f, up.at<float>(y, x) * 4.0f);
      auto& p = roi.at<cv::Vec3b>(y, x);
      const auto& c = colour.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uchar>((1 - w) * p[k] + w * c[k]);
    }
  return blended;
}

// One row of the sheet: the image, and the blended density with the name and the count, both `width` wide.
cv::Mat sheet_row(const std::string& name, const cv::Mat& img, const cv::Mat& blended, double count, int width) {
  const double f = static_cast<double>(width) / img.cols;
  cv::Mat left, right;
  cv::resize(img, left, cv::Size(), f, f, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::resize(blended, right, cv::Size(), f, f, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << name << "   count " << count;
  text(right, s.str(), cv::Point(8, 24));
  cv::Mat row;
  cv::hconcat(left, right, row);
  return row;
}

// Legend: the colour bar and its scale, and the title.
cv::Mat legend_strip(int w, double peak, const std::string& title) {
  cv::Mat legend(36, w, CV_8UC3, cv::Scalar(30, 30, 30));
  cv::Mat bar(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) bar.at<uchar>(0, i) = static_cast<uchar>(i);
  cv::Mat barc;
  cv::applyColorMap(bar, barc, cv::COLORMAP_JET);
  cv::resize(barc, barc, cv::Size(200, 12), 0, 0, cv::INTER_NEAREST);
  barc.copyTo(legend(cv::Rect(w - 210, 18, 200, 12)));
  std::ostringstream ls;
  ls.precision(3);
  ls << "0 .. " << peak << " people per 8x8 px (sqrt scale)";
  text(legend, ls.str(), cv::Point(w - 210, 14), 0.4);
  text(legend, title, cv::Point(8, 24), 0.55);
  return legend;
}

}  // namespace

int cmd_heatmap(int argc, char** argv) {
  Args a = heatmap_args();
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("heatmap: unexpected argument '" + a.positional()[0] + "'");
  const std::string out = a.required("out");
  check_output_path(out, "--out");
  if (a.has("images") == a.has("video")) throw InputError("heatmap: give exactly one of --images or --video");
  if (a.has("video") && !a.has("frames")) throw InputError("heatmap --video: needs --frames N,M,...");
  apply_threads(a);
  const int width = static_cast<int>(a.integer("width", 480, 64, 4096));
  const double alpha = a.real("alpha", 0.6, 0.0, 1.0);

  // Inputs first, so a bad path fails before the model loads.
  const Inputs inputs = read_inputs(a);
  const std::string model = counting_model_path(a);
  auto counter = counter_from_flags(a, model, EngineOptions{});
  double peak = 0;
  const std::vector<CountResult> results = count_inputs(*counter, inputs, peak);

  std::vector<cv::Mat> rows;
  nlohmann::json counts = nlohmann::json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& [name, img] = inputs[i];
    rows.push_back(sheet_row(name, img, blend_density(img, results[i], peak, alpha), results[i].count, width));
    counts.push_back({{"input", name}, {"count", results[i].count}});
  }
  const std::string title = a.has("title") ? a.str("title") : std::filesystem::path(model).filename().string();
  rows.insert(rows.begin(), legend_strip(rows[0].cols, peak, title));
  cv::Mat sheet;
  cv::vconcat(rows, sheet);
  if (!cv::imwrite(out, sheet)) throw_input_error(out, "cannot write the PNG");
  std::cerr << "wrote " << out << "\n";
  std::cout << nlohmann::json({{"out", out}, {"model", model}, {"counts", counts}}).dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
