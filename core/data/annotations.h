#pragma once
// Plain-text annotation files.
//
// Point annotations, JSON (coordinates in the 0-based convention of
// data/points.h):
//   {"images": [{"image": "a.jpg", "points": [[x, y], ...]}, ...]}
// or the bare list of those entries:
//   [{"image": "a.jpg", "points": [[x, y], ...]}, ...]
// or, for one image, a bare list of points (image name left empty):
//   [[x, y], ...]
//
// Point annotations, CSV: rows "image,x,y" (optional header line
// "image,x,y"); an image with no people is a row "image,," . Rows of one image
// need not be adjacent; images keep the order of first appearance.
//
// Frame counts, CSV: rows "frame,count" (optional header "frame,count");
// frame is an integer, count a number >= 0.
//
// IQA scores, CSV: a header naming the columns "image" and "mos" and
// optionally "mos_std" (in any order, other columns ignored), then one row
// per image.
//
// Every reader throws rv::InputError naming the file and the line (CSV) or
// the JSON path (e.g. "images[2].points[5]") of the first bad value.
#include <string>
#include <vector>

#include "data/points.h"

namespace rv {

struct PointAnnotation {
  std::string image;
  Points points;
};

std::vector<PointAnnotation> read_points_json(const std::string& path);
std::vector<PointAnnotation> read_points_csv(const std::string& path);
// By extension: .json or .csv (case-insensitive).
std::vector<PointAnnotation> read_points(const std::string& path);
// Writes the {"images": [...]} form.
void write_points_json(const std::string& path, const std::vector<PointAnnotation>& annotations);
// The text write_points_json writes (for callers that write it atomically).
std::string points_json_text(const std::vector<PointAnnotation>& annotations);

struct FrameCount {
  long frame = 0;
  double count = 0;
};
std::vector<FrameCount> read_frame_counts_csv(const std::string& path);

struct IqaScore {
  std::string image;
  double mos = 0;
  double mos_std = -1;  // -1 when the file has no mos_std column
};
std::vector<IqaScore> read_iqa_scores_csv(const std::string& path);

}  // namespace rv
