#pragma once
// Per-camera adaptation, the recipe `rankvision adapt` drives:
//  1. the input scale: a fixed one, or the candidate that fits the fitted
//     counted frames best (held-out frames never take part in the choice);
//  2. training (train_count): the ranking loss on nested crops of the camera's
//     own frames, the counted frames (whole-frame count loss), point-labelled
//     frames and labelled sets (density targets), optionally the temporal
//     median of the footage as a frame of known count (nearly the empty scene
//     where people keep moving: a free label), optionally the background of
//     some frames (everything away from what moves against that median) as a
//     region of count 0, and, with no labels at all, an
//     anchor to the base network that keeps the counts from drifting;
//  3. optionally a count factor: the least-squares factor that maps the
//     network's counts of the fitted frames onto their labels, applied to the
//     bundle (with zero iterations this is the whole adaptation: a scale and a
//     factor from a dozen counts, nothing else changes);
//  4. the report: ranking certainty C (Eq. 15) on the camera and the frame MAE
//     on the fitted and on the held-out counted frames, before and after.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "active/image_certainty.h"
#include "bundle/bundle.h"
#include "data/points.h"
#include "data/roi.h"
#include "data/lone_walkers.h"
#include "data/temporal_median.h"
#include "train/count_trainer.h"

namespace rv {

// What a person labelled on the camera: whole-frame counts and/or head points.
struct CameraLabels {
  std::map<long, cv::Mat> frames;  // the labelled frames, full resolution, BGR
  std::map<long, double> counts;   // frame -> people in it (inside the ROI)
  std::map<long, Points> points;   // frame -> head points (full-resolution pixels)
};

struct AdaptOptions {
  CountTrainOptions train;         // iterations, batches, losses, optimiser, seed ...
  DensityTargetOptions density;    // for point-labelled frames
  RoiPolygon roi;                  // normalised; empty = the whole frame
  double input_scale = 0;          // > 0: use it, no search
  std::vector<double> scales;      // candidates; empty = base scale x {0.5, 0.71, 1, 1.41, 2}
  long holdout = 0;                // labelled frames kept out of training and of the scale choice
  bool median_frame = false;       // add the footage's temporal median as a counted frame
  double median_count = 0;         // its count (people who stand still stay in the median)
  long motion_negatives = 0;       // frames of the footage whose background (outside what moves) counts 0
  MotionMaskOptions motion;        // how the background of those frames is found
  bool motion_singles = false;     // in those frames, each lone walker's window counts 1 (data/lone_walkers.h)
  LoneWalkerOptions walkers;       // how lone walkers are told apart
  double static_peaks = 0;         // peak-counting models: > 0 marks the temporal median's peaks above this
                                   // score as static objects, not counted (0: off)
  bool fit_count_factor = false;   // choose the scale with a count factor per scale, and after training
                                   // multiply the counts by the factor that fits the fitted frames best
  ImageCertaintyOptions certainty;
  long certainty_frames = 20;      // frames of the footage, evenly spread, for C
  double anchor_weight = -1;       // < 0: 1 when there are no labels at all, else 0
};

struct AdaptResult {
  bool interrupted = false;
  double input_scale = 0;
  nlohmann::json summary;  // what `adapt` prints and stores in the bundle's provenance
  cv::Mat median;          // the temporal median (full resolution) when median_frame or motion_negatives
  PersonHeightLine walker_heights;  // with motion_singles: how tall a person is at each row
};

// Adapts `bundle` in place (weights, input scale and ROI). `footage`: the
// camera's frames for the ranking crops, full resolution, one size. `labelled`:
// labelled sets at the base model's scale. `base_net` gives a fresh copy of
// the base network (used only for the anchor). rv::InputError for labels that
// do not fit (a held-out share that leaves nothing to fit, frames of another size).
AdaptResult adapt_to_camera(ModelBundle& bundle, const std::vector<cv::Mat>& footage, const CameraLabels& labels,
                            std::vector<LabelledImage> labelled, const AdaptOptions& options,
                            const std::function<RankNetPtr()>& base_net);

// The network's count on a frame resized by `scale`, inside the ROI.
double count_in_frame(RankNet& net, const cv::Mat& frame, double scale, const RoiPolygon& roi);

// `n` of `frames`, drawn by a generator seeded with `seed` (same input, same pick).
std::set<long> pick_holdout(const std::vector<long>& frames, long n, uint32_t seed);

}  // namespace rv
