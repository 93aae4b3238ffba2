#pragma once
// MOTChallenge ground truth (gt/gt.txt), one box per line:
//   frame, id, left, top, width, height, flag, class, visibility
// Frames are numbered from 1 as in MOT: MOT frame N is img1/00000N.jpg and
// the (N-1)-th frame (0-based) of the sequence as a video. Every frame
// argument of this API is a MOT (1-based) frame; mot_frame_to_video_index
// converts.
//
// Which lines are people: flag == 1 (the "consider" flag, when the column
// exists) and, when the line has exactly 9 columns (MOT16/17/20), class == 1
// ("pedestrian"; static persons, class 7, and others are left out). MOT15's
// 10-column lines carry world coordinates instead of a class and are kept by
// the flag only.
//
// Head point: MOT boxes cover the whole body, so the head is placed at the
// horizontal centre, one tenth of the box height below the top:
// (left + w/2, top + 0.1·h). Coordinates are converted to the project's
// 0-based convention (MOT boxes are 1-based: left=1 is the first column).
#include <map>
#include <string>
#include <vector>

#include "data/points.h"

namespace rv {

struct MotBox {
  int frame = 0;  // MOT frame, 1-based
  int id = 0;
  cv::Rect2f box;  // 0-based: (left-1, top-1, width, height)
  int flag = 1;
  int cls = -1;     // -1 when the file has no class column
  float visibility = 1.0f;
};

inline int mot_frame_to_video_index(int mot_frame) { return mot_frame - 1; }
inline int video_index_to_mot_frame(int video_index) { return video_index + 1; }

class MotGroundTruth {
 public:
  // Reads gt.txt. Throws rv::InputError "path:line: reason" for a short line,
  // a non-numeric field, a frame < 1 or a negative size.
  static MotGroundTruth load(const std::string& path);

  // All boxes as read (people or not), grouped by MOT frame.
  const std::map<int, std::vector<MotBox>>& all_boxes() const { return frames_; }
  // Frames that appear in the file, ascending.
  std::vector<int> frames() const;
  int last_frame() const;

  std::vector<MotBox> people(int mot_frame) const;
  Points head_points(int mot_frame) const;
  int count(int mot_frame) const;

 private:
  std::map<int, std::vector<MotBox>> frames_;
};

bool mot_is_person(const MotBox& box);
cv::Point2f mot_head_point(const MotBox& box);

}  // namespace rv
