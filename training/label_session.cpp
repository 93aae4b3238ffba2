#include "label_session.h"

#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "data/annotations.h"
#include "iqa_cli_util.h"

namespace rv::cli {

namespace fs = std::filesystem;
using nlohmann::json;

LabelSession::LabelSession(std::vector<LabelFrame> frames, std::string out_dir, std::string source)
    : frames_(std::move(frames)), out_(std::move(out_dir)), source_(std::move(source)) {
  if (frames_.empty()) throw InputError("label: no frames to label");
  load_previous();
}

void LabelSession::load_previous() {
  if (!fs::exists(points_path())) return;
  for (const auto& a : read_points_json(points_path())) {
    for (auto& f : frames_) {
      if (f.name != a.image) continue;
      f.points = a.points;
      f.labelled = true;
    }
  }
}

json LabelSession::frames_json() const {
  std::lock_guard<std::mutex> guard(lock_);
  json out = json::array();
  for (const auto& f : frames_) {
    json pts = json::array();
    for (const auto& p : f.points) pts.push_back({p.x, p.y});
    out.push_back({{"name", f.name}, {"index", f.index}, {"width", f.width}, {"height", f.height},
                   {"points", pts}, {"labelled", f.labelled}});
  }
  return out;
}

const LabelFrame* LabelSession::find(const std::string& name) const {
  for (const auto& f : frames_)
    if (f.name == name) return &f;
  return nullptr;
}

namespace {

// The points of a request, checked against the frame's size.
Points parse_points(const json& list, const LabelFrame& frame) {
  if (!list.is_array()) throw InputError("\"points\" must be a list of [x, y]");
  Points out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& p = list[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
      throw InputError("points[" + std::to_string(i) + "] must be [x, y], two numbers");
    const double x = p[0].get<double>(), y = p[1].get<double>();
    if (!std::isfinite(x) || !std::isfinite(y) || x < 0 || y < 0 || x >= frame.width || y >= frame.height) {
      std::ostringstream msg;
      msg << "points[" << i << "] (" << x << ", " << y << ") is outside the " << frame.width << "x" << frame.height
          << " frame " << frame.name;
      throw InputError(msg.str());
    }
    out.emplace_back(static_cast<float>(x), static_cast<float>(y));
  }
  return out;
}

}  // namespace

json LabelSession::set_points(const json& body) {
  if (!body.is_object() || !body.contains("frame") || !body["frame"].is_string() || !body.contains("points"))
    throw InputError("expected {\"frame\": NAME, \"points\": [[x, y], ...]}");
  const std::string name = body["frame"].get<std::string>();
  std::lock_guard<std::mutex> guard(lock_);
  // The frame list never changes after construction; only points do, under lock_.
  auto* frame = const_cast<LabelFrame*>(find(name));
  if (!frame) throw InputError("unknown frame '" + name + "'");
  frame->points = parse_points(body["points"], *frame);
  frame->labelled = true;
  save();
  long labelled = 0;
  for (const auto& f : frames_) labelled += f.labelled;
  return {{"frame", name}, {"count", frame->points.size()}, {"labelled", labelled}, {"total", frames_.size()}};
}

void LabelSession::save() const {
  std::ostringstream csv;
  csv << "# People counted with rankvision label on " << source_ << " (one click per head)\n";
  csv << "frame,count\n";
  std::vector<PointAnnotation> annotations;
  for (const auto& f : frames_) {
    if (!f.labelled) continue;
    csv << f.index << "," << f.points.size() << "\n";
    annotations.push_back({f.name, f.points});
  }
  write_text_atomic(counts_path(), csv.str());
  write_text_atomic(points_path(), points_json_text(annotations));
}

}  // namespace rv::cli
