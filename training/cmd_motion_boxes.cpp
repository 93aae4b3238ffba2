// rankvision motion-boxes: boxes round what moves in a fixed camera's footage, as a MOTChallenge
// gt.txt, so that `eval-count --video V --mot-gt OUT` reports "in_boxes" on a camera with no labels:
// the share of the density near moving things (is the density on the walking people or on the
// building?). The rule is core's (data/temporal_median.h: moving_blobs), the one `adapt
// --motion-negatives` trains against.
#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "common/error.h"
#include "data/frame_source.h"
#include "data/mot.h"
#include "data/temporal_median.h"
#include "iqa_cli_util.h"
#include "train_flags.h"

namespace rv::cli {

namespace {

Args motion_boxes_args() {
  return Args("motion-boxes",
              "Write boxes round what moves in a fixed camera's footage as a MOTChallenge gt.txt (frame N of\n"
              "--video is MOT frame N+1; class 1, flag 1, visibility 1), for eval-count --mot-gt: a label-free\n"
              "check of where a counting model puts its density.\n"
              "How: the per-pixel temporal median of the frames (every --median-step-th) is the empty scene where\n"
              "people keep moving. In each frame, pixels whose largest colour difference from it is over\n"
              "--threshold move; a 3x3 opening and a 9x9 closing clean that mask, and each blob of at least\n"
              "--min-area pixels becomes one box. Blobs are not people: groups merge, shadows grow them, people\n"
              "who stand still are missed. So this measures where the density is, not how many there are.\n"
              "Last stdout line: JSON with the number of boxes and grown_coverage, the mean share of the frame\n"
              "inside the boxes grown by a quarter on every side (as eval-count grows them): about what density\n"
              "spread evenly over the frame would score.",
              {{"video", "FILE", "the camera's footage (video file or image folder, sorted by name) (required)"},
               {"frames", "A:B[:S]", "frame range, 0-based, B exclusive (default: all)"},
               {"threshold", "T", "colour difference from the median that counts as moving, 1-254", "30"},
               {"min-area", "PX", "smallest blob, in pixels", "150"},
               {"median-step", "N", "every N-th frame of the range goes into the median", "4"},
               {"median-out", "PNG", "also write the temporal median (look at it: people who stand still stay in it)"},
               {"out", "FILE", "gt.txt to write (required)"}});
}

// Every `step`-th frame of the range, for the median; throws when the range holds fewer than 3 frames
// or the median's frames would not fit in memory.
std::vector<cv::Mat> median_frames(const std::string& video, const FrameRange& range, long step, long& total) {
  auto source = FrameSource::open(video, range);
  std::vector<cv::Mat> kept;
  cv::Mat frame;
  total = 0;
  constexpr std::uint64_t kMaxBytes = std::uint64_t{2} << 30;
  long index = 0;
  while (source->next(frame, index)) {
    if (!kept.empty() && frame.size() != kept[0].size())
      throw InputError(video + ": frame " + std::to_string(index) +
                       " differs in size from the first; a fixed camera's footage is needed");
    if (total++ % step != 0) continue;
    kept.push_back(frame.clone());
    if (kept.size() * frame.total() * frame.elemSize() > kMaxBytes)
      throw InputError(video + ": the median's frames would take over 2 GiB; raise --median-step or narrow --frames");
  }
  if (total < 3)
    throw InputError(video + ": the frame range holds " + std::to_string(total) +
                     " frame(s); telling what moves from the temporal median needs at least 3");
  return kept;
}

// The share of the frame inside the boxes grown by `grow`: all that is not background.
double grown_coverage(const std::vector<cv::Rect>& boxes, const cv::Size& size, double grow) {
  return 1.0 - static_cast<double>(cv::countNonZero(background_mask(boxes, size, grow))) / static_cast<double>(size.area());
}

}  // namespace

int cmd_motion_boxes(int argc, char** argv) {
  Args a = motion_boxes_args();
  if (!a.parse(argc, argv)) return 0;
  if (!a.positional().empty()) throw InputError("motion-boxes: unexpected argument '" + a.positional()[0] + "'");
  const std::string video = a.required("video");
  const std::string out = a.required("out");
  check_output_path(out, "--out");
  const std::string median_out = a.str("median-out", "");
  if (!median_out.empty()) check_output_path(median_out, "--median-out");
  const FrameRange range = parse_frame_range(a.str("frames", ":"), "--frames");
  MotionMaskOptions rule;
  rule.threshold = static_cast<int>(a.integer("threshold", 30, 1, 254));
  rule.min_area = static_cast<int>(a.integer("min-area", 150, 1, 100000000));
  const long step = a.integer("median-step", 4, 1, 100000000);

  long total = 0;
  const cv::Mat median = temporal_median(median_frames(video, range, step, total));
  if (!median_out.empty() && !cv::imwrite(median_out, median)) throw Error(median_out + ": cannot write the PNG");

  std::ostringstream lines;
  long frames = 0, boxes = 0, first = -1, last = -1;
  double coverage = 0;
  auto source = FrameSource::open(video, range);
  cv::Mat frame;
  long index = 0;
  while (source->next(frame, index)) {
    const std::vector<cv::Rect> blobs = moving_blobs(frame, median, rule);
    int id = 0;
    // MOT boxes are 1-based: left 1 is the first column.
    for (const auto& b : blobs)
      lines << video_index_to_mot_frame(static_cast<int>(index)) << ',' << ++id << ',' << b.x + 1 << ',' << b.y + 1
            << ',' << b.width << ',' << b.height << ",1,1,1\n";
    boxes += static_cast<long>(blobs.size());
    coverage += grown_coverage(blobs, frame.size(), rule.grow);
    if (first < 0) first = index;
    last = index;
    if (++frames % 100 == 0) std::cerr << "motion-boxes: " << frames << " / " << total << " frames, " << boxes << " boxes\n";
  }
  write_text_atomic(out, lines.str());
  std::cerr << "motion-boxes: " << out << ": " << boxes << " boxes in " << frames << " frames (" << first << " to " << last
            << "); median of " << (total + step - 1) / step << " frames\n";
  nlohmann::json j = {{"out", out},          {"frames", frames},
                      {"first_frame", first}, {"last_frame", last},
                      {"boxes", boxes},      {"grown_coverage", coverage / static_cast<double>(frames)}};
  std::cout << j.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
