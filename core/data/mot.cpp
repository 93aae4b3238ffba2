#include "data/mot.h"

#include "common/error.h"
#include "data/csv.h"

namespace rv {

MotGroundTruth MotGroundTruth::load(const std::string& path) {
  MotGroundTruth gt;
  for (const auto& row : read_csv_rows(path)) {
    const size_t n = row.fields.size();
    if (n < 6) throw_line_error(path, row.line, "expected at least 6 fields (frame,id,left,top,w,h), got " + std::to_string(n));
    MotBox b;
    b.frame = static_cast<int>(csv_integer(path, row, 0, "frame"));
    b.id = static_cast<int>(csv_integer(path, row, 1, "id"));
    const double left = csv_number(path, row, 2, "left"), top = csv_number(path, row, 3, "top");
    const double w = csv_number(path, row, 4, "width"), h = csv_number(path, row, 5, "height");
    if (b.frame < 1) throw_line_error(path, row.line, "frame " + std::to_string(b.frame) + " < 1 (MOT frames start at 1)");
    if (w < 0 || h < 0) throw_line_error(path, row.line, "negative box size");
    b.box = cv::Rect2f(static_cast<float>(left - 1.0), static_cast<float>(top - 1.0), static_cast<float>(w),
                       static_cast<float>(h));
    if (n >= 7) b.flag = static_cast<int>(csv_integer(path, row, 6, "flag"));
    if (n == 9) {
      b.cls = static_cast<int>(csv_integer(path, row, 7, "class"));
      b.visibility = static_cast<float>(csv_number(path, row, 8, "visibility"));
    }
    gt.frames_[b.frame].push_back(b);
  }
  return gt;
}

std::vector<int> MotGroundTruth::frames() const {
  std::vector<int> f;
  for (const auto& kv : frames_) f.push_back(kv.first);
  return f;
}

int MotGroundTruth::last_frame() const { return frames_.empty() ? 0 : frames_.rbegin()->first; }

bool mot_is_person(const MotBox& box) { return box.flag == 1 && (box.cls == -1 || box.cls == 1); }

cv::Point2f mot_head_point(const MotBox& box) {
  return {box.box.x + box.box.width / 2.0f, box.box.y + 0.1f * box.box.height};
}

std::vector<MotBox> MotGroundTruth::people(int mot_frame) const {
  std::vector<MotBox> out;
  const auto it = frames_.find(mot_frame);
  if (it == frames_.end()) return out;
  for (const auto& b : it->second)
    if (mot_is_person(b)) out.push_back(b);
  return out;
}

Points MotGroundTruth::head_points(int mot_frame) const {
  Points pts;
  for (const auto& b : people(mot_frame)) pts.push_back(mot_head_point(b));
  return pts;
}

int MotGroundTruth::count(int mot_frame) const { return static_cast<int>(people(mot_frame).size()); }

}  // namespace rv
