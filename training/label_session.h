#pragma once
// What `rankvision label` serves: the frames to count, the head points a
// person clicked on each, and the two files written after every change
// (atomically, temp file + rename):
//   OUT/counts.csv   "frame,count" rows: what `adapt --frame-counts` reads
//                    (frame = the 0-based index in the video or image folder);
//   OUT/points.json  {"images": [{"image": NAME, "points": [[x, y], ...]}]}:
//                    what `eval-count --points` reads (with --images OUT/frames
//                    for video frames, which are written there as PNGs, or
//                    the image folder itself).
// Frames already in OUT/points.json are loaded back, so labelling can stop
// and go on later.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "data/points.h"

namespace rv::cli {

struct LabelFrame {
  std::string name;  // image file name, or frame_NNNNNN.png for a video frame
  long index = 0;    // 0-based position in the video or the image folder
  int width = 0, height = 0;
  std::vector<unsigned char> encoded;  // JPEG served to the page
  Points points;
  bool labelled = false;  // saved at least once (a frame with nobody is labelled with 0)
};

class LabelSession {
 public:
  // Loads points already in OUT/points.json. `source` (the video or folder) is
  // named in the counts CSV's comment line.
  LabelSession(std::vector<LabelFrame> frames, std::string out_dir, std::string source);

  // GET /api/frames: [{"name", "index", "width", "height", "points", "labelled"}], in labelling order.
  nlohmann::json frames_json() const;
  // POST /api/points with {"frame": NAME, "points": [[x, y], ...]}: checks it
  // (rv::InputError with the reason: not an object, unknown frame, a point that
  // is not two numbers or lies outside the frame), stores it, writes both files.
  // Returns {"frame", "count", "labelled", "total"}.
  nlohmann::json set_points(const nlohmann::json& body);
  // The frame called `name`, or nullptr.
  const LabelFrame* find(const std::string& name) const;

  std::string counts_path() const { return out_ + "/counts.csv"; }
  std::string points_path() const { return out_ + "/points.json"; }

 private:
  void load_previous();
  void save() const;  // under lock_

  std::vector<LabelFrame> frames_;
  std::string out_, source_;
  mutable std::mutex lock_;
};

}  // namespace rv::cli
