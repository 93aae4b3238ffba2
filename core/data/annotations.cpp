#include "data/annotations.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>

#include "common/error.h"
#include "common/json_file.h"
#include "data/csv.h"

namespace rv {

namespace {

using nlohmann::json;

cv::Point2f json_point(const std::string& path, const json& p, const std::string& where) {
  if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
    throw_input_error(path, where + ": expected [x, y] with two numbers");
  const double x = p[0].get<double>(), y = p[1].get<double>();
  if (!std::isfinite(x) || !std::isfinite(y)) throw_input_error(path, where + ": coordinates must be finite");
  return {static_cast<float>(x), static_cast<float>(y)};
}

Points json_points(const std::string& path, const json& list, const std::string& where) {
  if (!list.is_array()) throw_input_error(path, where + ": expected a list of [x, y] points");
  Points pts;
  for (size_t i = 0; i < list.size(); ++i)
    pts.push_back(json_point(path, list[i], where + "[" + std::to_string(i) + "]"));
  return pts;
}

std::vector<PointAnnotation> json_entries(const std::string& path, const json& list, const std::string& where) {
  std::vector<PointAnnotation> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const json& e = list[i];
    if (!e.is_object()) throw_input_error(path, at + ": expected an object {\"image\", \"points\"}");
    if (!e.contains("image") || !e["image"].is_string())
      throw_input_error(path, at + ".image: missing or not a string");
    if (!e.contains("points")) throw_input_error(path, at + ".points: missing");
    out.push_back({e["image"].get<std::string>(), json_points(path, e["points"], at + ".points")});
  }
  return out;
}

std::string lower_extension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

std::vector<PointAnnotation> read_points_json(const std::string& path) {
  json doc = read_json_file(path);
  if (doc.is_object()) {
    if (!doc.contains("images") || !doc["images"].is_array())
      throw_input_error(path, "images: missing or not a list");
    return json_entries(path, doc["images"], "images");
  }
  if (!doc.is_array()) throw_input_error(path, "expected an object with \"images\" or a list");
  if (!doc.empty() && doc[0].is_array()) return {{"", json_points(path, doc, "points")}};
  return json_entries(path, doc, "images");
}

std::vector<PointAnnotation> read_points_csv(const std::string& path) {
  std::vector<PointAnnotation> out;
  std::map<std::string, size_t> index;
  const auto rows = read_csv_rows(path);
  for (size_t r = 0; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (r == 0 && csv_is_header(row, {"image", "x", "y"})) continue;
    if (row.fields.size() != 3) throw_line_error(path, row.line, "expected 3 fields image,x,y, got " + std::to_string(row.fields.size()));
    const std::string& image = row.fields[0];
    if (image.empty()) throw_line_error(path, row.line, "column 1 (image) is empty");
    auto it = index.find(image);
    if (it == index.end()) {
      it = index.emplace(image, out.size()).first;
      out.push_back({image, {}});
    }
    if (row.fields[1].empty() && row.fields[2].empty()) continue;  // image without people
    const double x = csv_number(path, row, 1, "x"), y = csv_number(path, row, 2, "y");
    out[it->second].points.emplace_back(static_cast<float>(x), static_cast<float>(y));
  }
  return out;
}

std::vector<PointAnnotation> read_points(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == "json") return read_points_json(path);
  if (ext == "csv") return read_points_csv(path);
  throw_input_error(path, "unknown point annotation format (expected .json or .csv)");
}

std::string points_json_text(const std::vector<PointAnnotation>& annotations) {
  json images = json::array();
  for (const auto& a : annotations) {
    json pts = json::array();
    for (const auto& p : a.points) pts.push_back({p.x, p.y});
    images.push_back({{"image", a.image}, {"points", pts}});
  }
  return json{{"images", images}}.dump(1) + "\n";
}

void write_points_json(const std::string& path, const std::vector<PointAnnotation>& annotations) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw_input_error(path, "cannot write file");
  out << points_json_text(annotations);
  if (!out) throw_input_error(path, "write error");
}

std::vector<FrameCount> read_frame_counts_csv(const std::string& path) {
  std::vector<FrameCount> out;
  const auto rows = read_csv_rows(path);
  for (size_t r = 0; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (r == 0 && csv_is_header(row, {"frame", "count"})) continue;
    if (row.fields.size() != 2) throw_line_error(path, row.line, "expected 2 fields frame,count, got " + std::to_string(row.fields.size()));
    FrameCount fc{csv_integer(path, row, 0, "frame"), csv_number(path, row, 1, "count")};
    if (fc.count < 0) throw_line_error(path, row.line, "column 2 (count) is negative");
    out.push_back(fc);
  }
  return out;
}

std::vector<IqaScore> read_iqa_scores_csv(const std::string& path) {
  const auto rows = read_csv_rows(path);
  if (rows.empty()) throw_input_error(path, "empty file (expected a header image,mos[,mos_std])");
  const CsvRow& header = rows[0];
  long image_col = -1, mos_col = -1, std_col = -1;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string h = header.fields[i];
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
    if (h == "image") image_col = static_cast<long>(i);
    else if (h == "mos") mos_col = static_cast<long>(i);
    else if (h == "mos_std") std_col = static_cast<long>(i);
  }
  if (image_col < 0 || mos_col < 0)
    throw_line_error(path, header.line, "header must name the columns image and mos (optionally mos_std)");
  std::vector<IqaScore> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() != header.fields.size())
      throw_line_error(path, row.line, "expected " + std::to_string(header.fields.size()) + " fields like the header, got " +
                                           std::to_string(row.fields.size()));
    IqaScore s;
    s.image = row.fields[static_cast<size_t>(image_col)];
    if (s.image.empty()) throw_line_error(path, row.line, "image is empty");
    s.mos = csv_number(path, row, static_cast<size_t>(mos_col), "mos");
    if (std_col >= 0) {
      s.mos_std = csv_number(path, row, static_cast<size_t>(std_col), "mos_std");
      if (s.mos_std < 0) throw_line_error(path, row.line, "mos_std is negative");
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace rv
