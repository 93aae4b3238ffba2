// rankvision distort / crops / density: write what the models learn from as
// PNGs — the distortion ladder of an image (IQA ranking), the nested crop set
// (counting ranking, Algorithm 2) and the ground-truth density map of an
// annotated image. Inputs are checked before any file is written.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "common/error.h"
#include "data/annotations.h"
#include "data/density_map.h"
#include "data/shanghaitech.h"
#include "iqa_cli_util.h"
#include "ranking/distortions.h"
#include "ranking/nested_crops.h"

namespace rv::cli {

namespace {

cv::Mat read_image(const std::string& path) {
  require_file("--image", path);
  cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
  if (m.empty()) throw InputError("--image " + path + ": cannot decode (not an image?)");
  return m;
}

// Writes atomically (encode to memory, then write_text_atomic) so a reader
// never sees half a PNG.
std::string write_png(const std::string& dir, const std::string& name, const cv::Mat& image) {
  std::vector<uchar> buf;
  if (!cv::imencode(".png", image, buf)) throw Error(name + ": PNG encoding failed");
  const std::string path = (std::filesystem::path(dir) / name).string();
  write_text_atomic(path, std::string(buf.begin(), buf.end()));
  return path;
}

cv::Mat thumbnail(const cv::Mat& image, int side) {
  const double f = static_cast<double>(side) / std::max(image.cols, image.rows);
  cv::Mat t;
  cv::resize(image, t, cv::Size(std::max(1, static_cast<int>(image.cols * f)), std::max(1, static_cast<int>(image.rows * f))),
             0, 0, f < 1 ? cv::INTER_AREA : cv::INTER_NEAREST);
  cv::Mat cell(side, side, CV_8UC3, cv::Scalar(40, 40, 40));
  t.copyTo(cell(cv::Rect((side - t.cols) / 2, (side - t.rows) / 2, t.cols, t.rows)));
  return cell;
}

void label(cv::Mat& image, const std::string& text, cv::Point at) {
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

cv::Mat limit_side(const cv::Mat& image, int max_side) {
  if (max_side <= 0 || std::max(image.cols, image.rows) <= max_side) return image;
  const double f = static_cast<double>(max_side) / std::max(image.cols, image.rows);
  cv::Mat small;
  cv::resize(image, small, cv::Size(), f, f, cv::INTER_AREA);
  return small;
}

}  // namespace

int cmd_distort(int argc, char** argv) {
  Args args("distort",
            "Write the distortion ladder of an image (pristine, then every level) as PNGs, plus a\n"
            "contact sheet ladder.png with one row per type. Last stdout line: JSON.",
            {
                {"image", "FILE", "the source image", ""},
                {"out", "DIR", "output folder (created if missing)", ""},
                {"type", "NAME", "distortion (name or TID2013 number); repeatable", "every type of the set", true},
                {"set", "SET", "tid2013 (17 types, 4 levels) or live (4 types, 5 levels)", "tid2013"},
                {"distortions", "SET", "same as --set", ""},
                {"crop", "N", "distort a centred N×N crop instead of the whole image (0: whole)", "0"},
                {"max-side", "N", "shrink larger images to this long side first (0: never)", "768"},
                {"seed", "N", "seed of the random fields (noise, patches)", "1"},
            });
  if (!args.parse(argc, argv)) return 0;
  const cv::Mat source = read_image(args.required("image"));
  const std::string out = args.required("out");
  const DistortionSet set = parse_distortion_set(args.str("set", args.str("distortions", "tid2013")));
  std::vector<Distortion> types;
  for (const auto& t : args.all("type")) {
    const Distortion d = parse_distortion(t);
    if (!distortion_in_set(d, set)) throw InputError("--type '" + t + "': not in the " + distortion_set_name(set) + " set");
    types.push_back(d);
  }
  if (types.empty()) types = distortion_types(set);
  const long crop = args.integer("crop", 0, 0, 100000);
  const long max_side = args.integer("max-side", 768, 0, 100000);
  const uint64_t seed = static_cast<uint64_t>(args.integer("seed", 1, 0, 4294967295L));
  cv::Mat image = limit_side(source, static_cast<int>(max_side));
  if (crop > 0) {
    if (crop > image.cols || crop > image.rows) throw InputError("--crop " + std::to_string(crop) + ": larger than the image");
    image = image(cv::Rect((image.cols - crop) / 2, (image.rows - crop) / 2, crop, crop)).clone();
  }
  // Everything is computed before the first file is written.
  std::vector<std::vector<DistortedImage>> ladders;
  for (auto t : types) ladders.push_back(distortion_ladder(image, t, set, seed));
  prepare_output_dir("--out", out);
  nlohmann::json files = nlohmann::json::array();
  files.push_back(write_png(out, "pristine.png", image));
  const int side = 160, levels = distortion_levels(set);
  cv::Mat sheet(side * static_cast<int>(types.size()), side * (levels + 1), CV_8UC3, cv::Scalar(0, 0, 0));
  for (size_t t = 0; t < types.size(); ++t) {
    for (const auto& d : ladders[t]) {
      if (d.level > 0) {
        std::ostringstream name;
        name << distortion_name(types[t]) << "_" << d.level << ".png";
        files.push_back(write_png(out, name.str(), d.image));
      }
      cv::Mat cell = thumbnail(d.image, side);
      label(cell, d.level == 0 ? distortion_name(types[t]) + " 0" : "level " + std::to_string(d.level),
            cv::Point(4, side - 6));
      cell.copyTo(sheet(cv::Rect(side * d.level, side * static_cast<int>(t), side, side)));
    }
  }
  files.push_back(write_png(out, "ladder.png", sheet));
  std::cout << "wrote " << files.size() << " files to " << out << " (" << types.size() << " types x " << levels
            << " levels + pristine; ladder.png is the overview)\n";
  nlohmann::json names = nlohmann::json::array();
  for (auto t : types) names.push_back(distortion_name(t));
  std::cout << nlohmann::json({{"out", out}, {"files", files.size()}, {"types", names}, {"levels", levels},
                               {"set", distortion_set_name(set)}})
                   .dump()
            << "\n";
  return 0;
}

int cmd_crops(int argc, char** argv) {
  Args args("crops",
            "Write the nested crop set of an image (Algorithm 2) as PNGs crop_0.png (largest, highest\n"
            "rank) ... crop_{k-1}.png, and overview.png with the rectangles drawn. Last stdout line: JSON.",
            {
                {"image", "FILE", "the source image", ""},
                {"out", "DIR", "output folder (created if missing)", ""},
                {"k", "N", "crops per set", "5"},
                {"s", "X", "side ratio between consecutive crops", "0.75"},
                {"r", "X", "anchor region = image side / r", "8"},
                {"size", "N", "side of the resized crops", "224"},
                {"seed", "N", "seed of the anchor", "1"},
            });
  if (!args.parse(argc, argv)) return 0;
  const cv::Mat image = read_image(args.required("image"));
  const std::string out = args.required("out");
  NestedCropOptions o;
  o.k = static_cast<int>(args.integer("k", 5, 2, 64));
  o.s = args.real("s", 0.75, 1e-3, 0.999);
  o.r = args.real("r", 8.0, 1.0, 1e6);
  o.out_size = static_cast<int>(args.integer("size", 224, 1, 8192));
  validate(o);
  std::mt19937 rng(static_cast<uint32_t>(args.integer("seed", 1, 0, 4294967295L)));
  const auto rects = nested_crop_rects(image.size(), o, rng);
  prepare_output_dir("--out", out);
  nlohmann::json files = nlohmann::json::array(), boxes = nlohmann::json::array();
  cv::Mat overview = image.clone();
  const cv::Rect2d anchor = nested_crop_anchor_region(image.size(), o.r);
  cv::rectangle(overview, cv::Rect(anchor), cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  const int thick = std::max(2, std::max(image.cols, image.rows) / 300);
  for (size_t i = 0; i < rects.size(); ++i) {
    const cv::Rect px = nested_crop_pixel_rect(rects[i], image.size());
    cv::Mat crop;
    cv::resize(image(px), crop, cv::Size(o.out_size, o.out_size), 0, 0, cv::INTER_AREA);
    files.push_back(write_png(out, "crop_" + std::to_string(i) + ".png", crop));
    // Hue walks from red (largest) to blue (smallest).
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(static_cast<int>(120.0 * i / std::max<size_t>(1, rects.size() - 1)), 255, 255)),
        bgr;
    cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
    cv::rectangle(overview, px, cv::Scalar(c[0], c[1], c[2]), thick, cv::LINE_AA);
    label(overview, "rank " + std::to_string(nested_crop_rank(static_cast<int>(i), o.k)),
          cv::Point(px.x + 4, px.y + 16));
    boxes.push_back({{"x", px.x}, {"y", px.y}, {"w", px.width}, {"h", px.height},
                     {"rank", nested_crop_rank(static_cast<int>(i), o.k)}});
  }
  files.push_back(write_png(out, "overview.png", overview));
  std::cout << "wrote " << rects.size() << " crops and overview.png to " << out << "\n";
  std::cout << nlohmann::json({{"out", out}, {"files", files.size()}, {"crops", boxes}}).dump() << "\n";
  return 0;
}

int cmd_density(int argc, char** argv) {
  Args args("density",
            "Write the ground-truth density map of an annotated image: density.png (colour map) and\n"
            "overlay.png (map blended over the image, points marked). Last stdout line: JSON.",
            {
                {"image", "FILE", "the image", ""},
                {"points", "FILE", "point annotations (JSON or CSV; the entry named like the image is used)", ""},
                {"mat", "FILE", "ShanghaiTech GT_IMG_n.mat instead of --points", ""},
                {"sigma", "X", "fixed Gaussian sigma in pixels (ShanghaiTech B)", "15"},
                {"adaptive", "", "geometry-adaptive kernels (ShanghaiTech A)", ""},
                {"out", "DIR", "output folder (created if missing)", ""},
            });
  if (!args.parse(argc, argv)) return 0;
  const std::string image_path = args.required("image");
  const cv::Mat image = read_image(image_path);
  const std::string out = args.required("out");
  if (args.has("points") == args.has("mat")) throw InputError("give exactly one of --points FILE or --mat FILE");
  Points points;
  if (args.has("mat")) {
    require_file("--mat", args.str("mat"));
    points = read_shanghaitech_mat(args.str("mat")).points;
  } else {
    const std::string pf = args.str("points");
    require_file("--points", pf);
    const auto anns = read_points(pf);
    const std::string base = std::filesystem::path(image_path).filename().string();
    const PointAnnotation* found = nullptr;
    for (const auto& a : anns) {
      if (a.image == base || a.image == image_path ||
          (!a.image.empty() && std::filesystem::path(a.image).filename().string() == base))
        found = &a;
    }
    if (!found && anns.size() == 1 && anns[0].image.empty()) found = &anns[0];
    if (!found) throw InputError("--points " + pf + ": no entry for image " + base);
    points = found->points;
  }
  const double sigma = args.real("sigma", 15.0, 0.1, 1000.0);
  const cv::Mat density = args.flag("adaptive") ? density_map_adaptive(image.size(), points)
                                                : density_map_fixed(image.size(), points, sigma);
  const double count = cv::sum(density)[0];
  double peak = 0;
  cv::minMaxLoc(density, nullptr, &peak);
  cv::Mat scaled, colour;
  density.convertTo(scaled, CV_8U, peak > 0 ? 255.0 / peak : 0.0);
  cv::applyColorMap(scaled, colour, cv::COLORMAP_JET);
  cv::Mat overlay;
  cv::addWeighted(image, 0.5, colour, 0.5, 0, overlay);
  for (const auto& p : points_inside(points, image.size()))
    cv::circle(overlay, p, 2, cv::Scalar(255, 255, 255), cv::FILLED, cv::LINE_AA);
  std::ostringstream text;
  text.precision(1);
  text << std::fixed << "count " << count;
  label(overlay, text.str(), cv::Point(8, 20));
  prepare_output_dir("--out", out);
  write_png(out, "density.png", colour);
  write_png(out, "overlay.png", overlay);
  std::cout << "points " << points.size() << ", density map sum " << count << " (" << out
            << "/density.png, overlay.png)\n";
  std::cout << nlohmann::json({{"out", out}, {"files", 2}, {"points", points.size()}, {"count", count},
                               {"kernel", args.flag("adaptive") ? "adaptive" : "fixed"}})
                   .dump()
            << "\n";
  return 0;
}

}  // namespace rv::cli
