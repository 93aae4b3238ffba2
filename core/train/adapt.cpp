#include "train/adapt.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <string>

#include "common/error.h"
#include "data/image_io.h"
#include "data/labelled_set.h"
#include "data/tensor_convert.h"
#include "data/temporal_median.h"
#include "metrics/metrics.h"
#include "model/graph_nets.h"

namespace rv {

namespace {

// One labelled frame with its true count (inside the ROI).
struct TruthFrame {
  long index = 0;
  cv::Mat image;  // full resolution
  double count = 0;
  bool held_out = false;
};

std::vector<TruthFrame> truth_frames(const CameraLabels& labels, const RoiPolygon& roi, const std::set<long>& held) {
  std::vector<TruthFrame> out;
  for (const auto& [f, img] : labels.frames) {
    TruthFrame t{f, img, 0.0, held.count(f) > 0};
    if (labels.counts.count(f)) {
      t.count = labels.counts.at(f);
    } else if (labels.points.count(f)) {
      const cv::Mat mask = roi_mask(roi, img.size());
      for (const auto& p : points_inside(labels.points.at(f), img.size()))
        if (mask.at<uint8_t>(point_pixel(p)) > 0) t.count += 1;
    } else {
      continue;  // an image without a label: nothing to compare
    }
    out.push_back(t);
  }
  return out;
}

// Truth and prediction of the frames whose held_out flag is `held_out`.
struct FramePredictions {
  std::vector<double> truth, predicted;
};

FramePredictions predict_frames(RankNet& net, const std::vector<TruthFrame>& frames, bool held_out, double scale,
                                const RoiPolygon& roi) {
  FramePredictions out;
  for (const auto& f : frames) {
    if (f.held_out != held_out) continue;
    out.truth.push_back(f.count);
    out.predicted.push_back(count_in_frame(net, f.image, scale, roi));
  }
  return out;
}

// The least-squares factor through the origin that maps the predictions onto
// the truth (1 when every prediction is zero), kept inside [1e-3, 1e3].
double fitted_count_factor(const FramePredictions& p) {
  double tp = 0, pp = 0;
  for (size_t i = 0; i < p.truth.size(); ++i) tp += p.truth[i] * p.predicted[i], pp += p.predicted[i] * p.predicted[i];
  return pp > 0 ? std::clamp(tp / pp, 1e-3, 1e3) : 1.0;
}

double scaled_mae(const FramePredictions& p, double k) {
  if (p.truth.empty()) return NAN;
  std::vector<double> scaled;
  for (double v : p.predicted) scaled.push_back(k * v);
  return mae(p.truth, scaled);
}

// MAE over the frames whose held_out flag is `held_out` (NaN when there are none).
double frames_mae(RankNet& net, const std::vector<TruthFrame>& frames, bool held_out, double scale,
                  const RoiPolygon& roi, nlohmann::json* per_frame = nullptr) {
  const auto p = predict_frames(net, frames, held_out, scale, roi);
  if (per_frame)
    for (size_t i = 0, j = 0; i < frames.size(); ++i)
      if (frames[i].held_out == held_out) {
        per_frame->push_back({{"frame", frames[i].index}, {"truth", p.truth[j]}, {"predicted", p.predicted[j]}});
        ++j;
      }
  return scaled_mae(p, 1.0);
}

// Peak counting (PeakCountNet): the scores of each fitted frame's peaks inside the ROI.
struct PeakFrames {
  std::vector<std::vector<double>> scores;  // the peaks' scores (above 0.05), one list per fitted frame
  std::vector<double> truth;
};

// A frame's count with thresholds low..high (before the density scale).
double peaks_count(const std::vector<double>& scores, double low, double high) {
  double n = 0;
  for (double v : scores) n += PeakCountNet::peak_ramp(v, low, high);
  return n;
}

PeakFrames fitted_peaks(PeakCountNet& net, const std::vector<TruthFrame>& frames, double scale, const RoiPolygon& roi) {
  torch::NoGradGuard no_grad;
  PeakFrames out;
  for (const auto& f : frames) {
    if (f.held_out) continue;
    auto p = net.peak_scores(image_to_tensor(resize_by(f.image, scale)))[0][0];
    if (!roi.empty()) p = p * mask_to_grid(roi_mask(roi, cv::Size(static_cast<int>(p.size(1)), static_cast<int>(p.size(0)))),
                                           p.size(0), p.size(1));
    const auto v = p.masked_select(p > 0.05).to(torch::kDouble).contiguous();
    out.scores.emplace_back(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
    out.truth.push_back(f.count);
  }
  return out;
}

struct PeakFit {
  double low = 0.35, high = 0.35, mae = INFINITY;
};

// The peak thresholds (low, high = low + width) whose counts fit the frames
// best (all but frame `skip`, when given), over a grid: low 0.10 to 0.70 by
// 0.01, width 0 to 0.3 by 0.05. Ties keep the lowest low, then the narrowest width.
// The network is not changed.
PeakFit fit_peak_range(const PeakCountNet& net, const PeakFrames& pf, long skip = -1) {
  PeakFit best;
  const double unit = 100.0 / net.spec().density_scale;
  for (int l = 10; l <= 70; ++l)
    for (int w = 0; w <= 30; w += 5) {
      const double low = l / 100.0, high = std::min(0.99, low + w / 100.0);
      double err = 0;
      size_t n = 0;
      for (size_t i = 0; i < pf.scores.size(); ++i) {
        if (static_cast<long>(i) == skip) continue;
        err += std::abs(peaks_count(pf.scores[i], low, high) * unit - pf.truth[i]);
        ++n;
      }
      err /= std::max<size_t>(1, n);
      if (err < best.mae - 1e-9) best = {low, high, err};
    }
  return best;
}

// Leave-one-out error of the threshold fit: each fitted frame counted with the
// thresholds fitted on the others. Mean and its standard error (NaN with fewer than 2 frames).
std::pair<double, double> peak_fit_loo(const PeakCountNet& net, const PeakFrames& pf) {
  const size_t n = pf.scores.size();
  if (n < 2) return {NAN, NAN};
  const double unit = 100.0 / net.spec().density_scale;
  std::vector<double> err;
  for (size_t i = 0; i < n; ++i) {
    const PeakFit f = fit_peak_range(net, pf, static_cast<long>(i));
    err.push_back(std::abs(peaks_count(pf.scores[i], f.low, f.high) * unit - pf.truth[i]));
  }
  const double mean = std::accumulate(err.begin(), err.end(), 0.0) / static_cast<double>(n);
  double var = 0;
  for (double e : err) var += (e - mean) * (e - mean);
  return {mean, std::sqrt(var / static_cast<double>(n - 1) / static_cast<double>(n))};
}

// The places where the empty scene (the temporal median) has a peak scoring above
// `threshold` at this scale, normalised to 0..1.
std::vector<std::pair<double, double>> static_peaks_at(PeakCountNet& net, const cv::Mat& median, double scale,
                                                       double threshold) {
  torch::NoGradGuard no_grad;
  net.set_static_peaks({});
  const auto p = net.peak_scores(image_to_tensor(resize_by(median, scale)))[0][0];
  const auto at = torch::nonzero(p > threshold);
  std::vector<std::pair<double, double>> out;
  for (int64_t i = 0; i < at.size(0); ++i)
    out.emplace_back((at[i][1].item<double>() + 0.5) / static_cast<double>(p.size(1)),
                     (at[i][0].item<double>() + 0.5) / static_cast<double>(p.size(0)));
  return out;
}

// Peak counting: for each candidate scale (or the fixed one), the thresholds that
// fit the fitted frames best, and their leave-one-out error. With a dozen frames the
// in-sample error favours the scale that overfits, and scales within the noise of
// each other are alike, so the one-standard-error rule picks: the smallest (fastest)
// scale whose leave-one-out error is within one standard error of the lowest. Its
// thresholds are fitted on all the fitted frames.
double choose_scale_and_peaks(PeakCountNet& net, const std::vector<TruthFrame>& frames, const AdaptOptions& o,
                              double base_scale, const cv::Mat& median, nlohmann::json& search) {
  std::vector<double> candidates = o.scales;
  if (o.input_scale > 0) candidates = {o.input_scale};
  if (candidates.empty())
    for (double f : {0.8, 0.9, 1.0, 1.1, 1.2}) candidates.push_back(base_scale * f);
  std::vector<PeakFit> fits;
  std::vector<std::pair<double, double>> loo;
  std::vector<std::vector<std::pair<double, double>>> statics;
  for (double s : candidates) {
    statics.push_back(o.static_peaks > 0 ? static_peaks_at(net, median, s, o.static_peaks)
                                         : std::vector<std::pair<double, double>>{});
    net.set_static_peaks(statics.back());
    const PeakFrames pf = fitted_peaks(net, frames, s, o.roi);
    loo.push_back(peak_fit_loo(net, pf));
    fits.push_back(fit_peak_range(net, pf));
    search.push_back({{"scale", s}, {"peak_low", fits.back().low}, {"peak_high", fits.back().high},
                      {"frame_mae", fits.back().mae}, {"frame_mae_leave_one_out", loo.back().first},
                      {"leave_one_out_se", loo.back().second}, {"static_peaks", statics.back().size()}});
    if (o.train.progress)
      std::cerr << "scale " << s << ": peak thresholds " << fits.back().low << ".." << fits.back().high
                << ", MAE on the fitted frames " << fits.back().mae << ", leave-one-out " << loo.back().first << " ± "
                << loo.back().second << "\n";
  }
  auto key = [&](size_t i) { return std::isnan(loo[i].first) ? fits[i].mae : loo[i].first; };
  size_t best = 0;
  for (size_t i = 1; i < candidates.size(); ++i)
    if (key(i) < key(best)) best = i;
  const double limit = key(best) + (std::isnan(loo[best].second) ? 0.0 : loo[best].second);
  size_t pick = best;
  for (size_t i = 0; i < candidates.size(); ++i)
    if (key(i) <= limit && candidates[i] < candidates[pick]) pick = i;
  net.set_peak_range(fits[pick].low, fits[pick].high);
  net.set_static_peaks(statics[pick]);
  return candidates[pick];
}

// The candidate scale whose fitted frames come out best: by their MAE, or with
// fit_count_factor by their MAE once each scale's own count factor is applied.
double choose_scale(RankNet& net, const std::vector<TruthFrame>& frames, const AdaptOptions& o, double base_scale,
                    const cv::Mat& median, nlohmann::json& search) {
  const bool any_fit = std::any_of(frames.begin(), frames.end(), [](const TruthFrame& f) { return !f.held_out; });
  if (auto* peaks = dynamic_cast<PeakCountNet*>(&net)) {
    if (any_fit) return choose_scale_and_peaks(*peaks, frames, o, base_scale, median, search);
    const double s = o.input_scale > 0 ? o.input_scale : base_scale;  // no counts: thresholds stay
    if (o.static_peaks > 0) peaks->set_static_peaks(static_peaks_at(*peaks, median, s, o.static_peaks));
    return s;
  }
  if (o.input_scale > 0) return o.input_scale;
  if (!any_fit) return base_scale;
  std::vector<double> candidates = o.scales;
  if (candidates.empty())
    for (double f : {0.5, 0.7071, 1.0, 1.4142, 2.0}) candidates.push_back(base_scale * f);
  double best = INFINITY, scale = base_scale;
  for (double s : candidates) {
    const auto p = predict_frames(net, frames, /*held_out=*/false, s, o.roi);
    const double plain = scaled_mae(p, 1.0);
    nlohmann::json rec = {{"scale", s}, {"frame_mae", plain}};
    double m = plain;
    if (o.train.progress) std::cerr << "scale " << s << ": MAE on the fitted frames " << plain;
    if (o.fit_count_factor) {
      const double k = fitted_count_factor(p);
      m = scaled_mae(p, k);
      rec["count_factor"] = k;
      rec["frame_mae_scaled"] = m;
      if (o.train.progress) std::cerr << " (" << m << " with its count factor " << k << ")";
    }
    if (o.train.progress) std::cerr << "\n";
    search.push_back(rec);
    if (m < best) best = m, scale = s;
  }
  return scale;
}

double mean_certainty(RankNet& net, const std::vector<cv::Mat>& frames, const ImageCertaintyOptions& co) {
  if (frames.empty()) return NAN;
  net.eval();
  double sum = 0;
  for (size_t i = 0; i < frames.size(); ++i) sum += certainty_of_image(net, frames[i], co, static_cast<uint32_t>(1000 + i));
  return sum / static_cast<double>(frames.size());
}

// `n` indices of 0..size-1, evenly spread (all of them when n >= size).
std::vector<size_t> spread_indices(size_t size, long n) {
  std::vector<size_t> out;
  const size_t k = std::min(size, static_cast<size_t>(std::max(0L, n)));
  for (size_t i = 0; i < k; ++i) out.push_back(i * size / k);
  return out;
}

CountedFrame counted_frame(const std::string& name, const cv::Mat& full, double count, double scale,
                           const RoiPolygon& roi) {
  CountedFrame cf;
  cf.name = name;
  cf.image = resize_by(full, scale).clone();
  cf.count = count;
  if (!roi.empty()) cf.mask = roi_mask(roi, cf.image.size());
  return cf;
}

// The training data at the chosen scale: ranking pool (ROI box of each frame),
// fitted counted / point-labelled frames, the median frame and the motion negatives when asked.
// Returns the index in data.counted of the first motion negative (they are the last ones).
size_t add_camera_data(CountTrainData& data, const std::vector<cv::Mat>& footage, const CameraLabels& labels,
                     const std::set<long>& held, double scale, const AdaptOptions& o, AdaptResult& result) {
  const cv::Rect box = roi_box(o.roi, footage[0].size());
  for (const auto& f : footage) data.unlabelled.push_back(resize_by(f(box), scale).clone());
  for (const auto& [f, img] : labels.frames) {
    if (held.count(f)) continue;
    if (labels.counts.count(f))
      data.counted.push_back(counted_frame("frame " + std::to_string(f), img, labels.counts.at(f), scale, o.roi));
    if (labels.points.count(f))
      data.labelled.push_back(make_labelled_image("frame " + std::to_string(f), img, labels.points.at(f), scale, o.density));
  }
  if (o.median_frame || o.motion_negatives > 0) result.median = temporal_median(footage);
  if (o.median_frame) {
    // In every batch: one frame among a dozen would be seen too rarely to undo density on the background.
    data.counted.push_back(counted_frame("temporal median", result.median, o.median_count, scale, o.roi));
    data.counted.back().every_batch = true;
  }
  const size_t first_negative = data.counted.size();
  if (o.motion_singles) {
    // The person height at each row, from the blobs of up to 200 frames spread over the footage.
    std::vector<std::vector<cv::Rect>> blobs;
    for (const size_t i : spread_indices(footage.size(), std::min<size_t>(footage.size(), 200)))
      blobs.push_back(moving_blobs(footage[i], result.median, o.motion));
    try {
      result.walker_heights = fit_person_heights(blobs, footage[0].rows, o.walkers);
    } catch (const InputError& e) {
      throw InputError(std::string("--motion-singles: ") + e.what());
    }
  }
  for (const size_t i : spread_indices(footage.size(), o.motion_negatives)) {
    auto cf = counted_frame("background of footage frame " + std::to_string(i), footage[i], 0.0, scale, o.roi);
    const std::vector<cv::Rect> blobs = moving_blobs(footage[i], result.median, o.motion);
    cv::Mat background;
    cv::resize(background_mask(blobs, footage[i].size(), o.motion.grow), background, cf.image.size(), 0, 0,
               cv::INTER_NEAREST);
    const cv::Mat roi = cf.mask;
    cf.mask = roi.empty() ? background : (roi & background);
    if (o.motion_singles) {
      for (const cv::Rect& w : lone_walker_windows(blobs, result.walker_heights, footage[i].size(), o.walkers)) {
        cv::Mat window(footage[i].size(), CV_8U, cv::Scalar(0));
        window(w).setTo(255);
        cv::resize(window, window, cf.image.size(), 0, 0, cv::INTER_NEAREST);
        cf.regions.emplace_back(roi.empty() ? window : (roi & window), 1.0);
      }
    }
    data.counted.push_back(cf);
  }
  return first_negative;
}

// How the motion frames (counted frames `first`..end) look to a network: the share of its positive
// density on their background (the masks), and the mean density in the lone walkers' windows.
struct MotionCheck {
  double background_share = NAN;
  double per_walker = NAN;
  long walkers = 0;
};

MotionCheck check_motion(RankNet& net, const std::vector<CountedFrame>& frames, size_t first) {
  torch::NoGradGuard no_grad;
  net.eval();
  double on = 0, all = 0, in_windows = 0;
  MotionCheck m;
  for (size_t i = first; i < frames.size(); ++i) {
    const auto& cf = frames[i];
    auto d = net.dense(image_to_tensor(cf.image))[0][0];
    auto positive = torch::relu(d);
    on += (positive * mask_to_grid(cf.mask, d.size(0), d.size(1))).sum().item<double>();
    all += positive.sum().item<double>();
    for (const auto& region : cf.regions) {
      in_windows += (d * mask_to_grid(region.first, d.size(0), d.size(1))).sum().item<double>();
      ++m.walkers;
    }
  }
  if (all > 0) m.background_share = on / all;
  if (m.walkers > 0) m.per_walker = in_windows / static_cast<double>(m.walkers);
  return m;
}

// The summary of the motion frames, before and after adaptation (progress lines as it goes).
nlohmann::json motion_summary(const AdaptOptions& o, const AdaptResult& r, size_t frames, const MotionCheck& before,
                              const MotionCheck& after) {
  if (o.train.progress) {
    std::cerr << "share of the density on their background after: " << after.background_share << "\n";
    if (o.motion_singles) std::cerr << "density per lone walker after: " << after.per_walker << "\n";
  }
  nlohmann::json j = {{"frames", frames},
                      {"density_share_on_background_before", before.background_share},
                      {"density_share_on_background_after", after.background_share}};
  if (o.motion_singles) {
    j["lone_walkers"] = before.walkers;
    j["person_height"] = {{"slope", r.walker_heights.slope}, {"intercept", r.walker_heights.intercept},
                          {"blobs", r.walker_heights.blobs}};
    j["density_per_walker_before"] = before.walkers > 0 ? nlohmann::json(before.per_walker) : nlohmann::json();
    j["density_per_walker_after"] = after.walkers > 0 ? nlohmann::json(after.per_walker) : nlohmann::json();
  }
  return j;
}

// Peak-counting models: thresholds and static peaks, kept to swap the base's in
// for the "before" measurements and the fitted ones back (no-ops for other models).
struct PeakState {
  PeakCountNet* net = nullptr;
  std::pair<double, double> range;
  std::vector<std::pair<double, double>> statics;
  static PeakState of(RankNet& n) {
    PeakState st;
    st.net = dynamic_cast<PeakCountNet*>(&n);
    if (st.net) st.range = st.net->peak_range(), st.statics = st.net->static_peaks();
    return st;
  }
  void apply() const {
    if (!net) return;
    net->set_peak_range(range.first, range.second);
    net->set_static_peaks(statics);
  }
};

// Refuses what adaptation cannot work with, before any work.
void check_adapt_inputs(const ModelBundle& bundle, const std::vector<cv::Mat>& footage, const CameraLabels& labels,
                        const AdaptOptions& o) {
  if (footage.empty()) throw InputError("adapt: no frames of the camera to rank");
  if (o.static_peaks > 0 && !dynamic_cast<PeakCountNet*>(bundle.net.get()))
    throw InputError("--static-peaks: only for peak-counting models (centernet_peaks); " + bundle.meta.spec.arch +
                     " counts with a density map");
  if (dynamic_cast<PeakCountNet*>(bundle.net.get()) && o.train.iterations > 0)
    throw InputError("adapt: " + bundle.meta.spec.arch +
                     " counts a detector's peaks and has nothing to train; use --iterations 0 "
                     "(the counted frames then choose the input scale and the peak thresholds)");
  if (o.motion_negatives > 0 && footage.size() < 3)
    throw InputError("--motion-negatives: the footage has " + std::to_string(footage.size()) +
                     " frame(s); telling what moves from the temporal median needs at least 3");
  for (const auto& [f, img] : labels.frames)
    if (img.size() != footage[0].size())
      throw InputError("adapt: labelled frame " + std::to_string(f) + " differs in size from the footage");
}

}  // namespace

double count_in_frame(RankNet& net, const cv::Mat& frame, double scale, const RoiPolygon& roi) {
  torch::NoGradGuard no_grad;
  const cv::Mat img = resize_by(frame, scale);
  auto d = net.dense(image_to_tensor(img))[0][0];
  if (roi.empty()) return d.sum().item<double>();
  const cv::Mat m = roi_mask(roi, cv::Size(static_cast<int>(d.size(1)), static_cast<int>(d.size(0))));
  return (d * mask_to_grid(m, d.size(0), d.size(1))).sum().item<double>();
}

std::set<long> pick_holdout(const std::vector<long>& frames, long n, uint32_t seed) {
  std::vector<long> order = frames;
  std::sort(order.begin(), order.end());
  std::mt19937 rng(seed * 2654435761u + 17u);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(static_cast<size_t>(std::clamp<long>(n, 0, static_cast<long>(order.size()))));
  return {order.begin(), order.end()};
}

AdaptResult adapt_to_camera(ModelBundle& bundle, const std::vector<cv::Mat>& footage, const CameraLabels& labels,
                            std::vector<LabelledImage> labelled, const AdaptOptions& o,
                            const std::function<RankNetPtr()>& base_net) {
  check_adapt_inputs(bundle, footage, labels, o);
  std::vector<long> label_ids;
  for (const auto& [f, img] : labels.frames)
    if (labels.counts.count(f) || labels.points.count(f)) label_ids.push_back(f);
  if (o.holdout > 0 && o.holdout >= static_cast<long>(label_ids.size()))
    throw InputError("--holdout " + std::to_string(o.holdout) + ": only " + std::to_string(label_ids.size()) +
                     " labelled frames, and some must remain to fit");
  const std::set<long> held = pick_holdout(label_ids, o.holdout, o.train.seed);
  const auto frames = truth_frames(labels, o.roi, held);

  AdaptResult result;
  RankNet& base = *bundle.net;
  base.eval();
  nlohmann::json search = nlohmann::json::array();
  const PeakState base_peaks = PeakState::of(base);
  if (o.static_peaks > 0) result.median = temporal_median(footage);
  const double scale = choose_scale(base, frames, o, bundle.meta.input_scale, result.median, search);
  result.input_scale = scale;
  const PeakState fitted_peaks = PeakState::of(base);
  base_peaks.apply();  // "before": the base's thresholds and static peaks
  nlohmann::json held_before = nlohmann::json::array(), held_after = nlohmann::json::array();
  const double fit_before = frames_mae(base, frames, false, scale, o.roi);
  const double held_mae_before = frames_mae(base, frames, true, scale, o.roi, &held_before);

  CountTrainData data;
  data.labelled = std::move(labelled);
  const size_t first_negative = add_camera_data(data, footage, labels, held, scale, o, result);
  const MotionCheck motion_before = check_motion(base, data.counted, first_negative);
  if (o.train.progress && first_negative < data.counted.size())
    std::cerr << "motion negatives: " << data.counted.size() - first_negative
              << " frames; share of the density on their background before: " << motion_before.background_share
              << (o.motion_singles ? "; lone walkers " + std::to_string(motion_before.walkers) + ", density per walker before: " +
                                         std::to_string(motion_before.per_walker)
                                   : std::string())
              << "\n";
  std::vector<cv::Mat> cert_pool;
  for (size_t i : spread_indices(data.unlabelled.size(), std::max(1L, o.certainty_frames)))
    cert_pool.push_back(data.unlabelled[i]);
  const double c_before = mean_certainty(base, cert_pool, o.certainty);
  fitted_peaks.apply();  // "before" ends here
  if (o.train.progress) std::cerr << "certainty C before: " << c_before << " (" << cert_pool.size() << " frames, scale " << scale << ")\n";

  CountTrainOptions to = o.train;
  const bool have_labels = !data.labelled.empty() || !data.counted.empty();
  to.anchor_weight = o.anchor_weight >= 0 ? o.anchor_weight : (have_labels ? 0.0 : 1.0);
  CountTrainResult trained;
  if (to.iterations > 0) {
    RankNetPtr anchor = to.anchor_weight > 0 ? base_net() : nullptr;
    torch::manual_seed(to.seed);
    trained = train_count(bundle, data, to, anchor, nullptr);
    result.interrupted = trained.interrupted;
    if (trained.interrupted) return result;
  }
  double count_factor = NAN;
  if (o.fit_count_factor && frames.size() > held.size()) {
    count_factor = fitted_count_factor(predict_frames(*bundle.net, frames, false, scale, o.roi));
    if (o.train.progress) std::cerr << "count factor fitted on the counted frames: " << count_factor << "\n";
    scale_bundle_counts(bundle, count_factor);
  }
  RankNet& net = *bundle.net;  // a new network when the counts were scaled

  const double c_after = mean_certainty(net, cert_pool, o.certainty);
  if (o.train.progress) std::cerr << "certainty C after: " << c_after << "\n";
  auto& s = result.summary;
  s = {{"certainty_before", c_before}, {"certainty_after", c_after}, {"input_scale", scale},
       {"frames", data.unlabelled.size()}, {"labelled_frames", frames.size() - held.size()},
       {"holdout_frames", held.size()}, {"iterations", trained.iterations_done}, {"scale_search", search}};
  if (!std::isnan(count_factor)) s["count_factor"] = count_factor;
  if (frames.size() > held.size()) {
    s["frame_mae_before"] = fit_before;
    s["frame_mae_after"] = frames_mae(net, frames, false, scale, o.roi);
  }
  if (!held.empty()) {
    s["holdout_mae_before"] = held_mae_before;
    s["holdout_mae_after"] = frames_mae(net, frames, true, scale, o.roi, &held_after);
    for (size_t i = 0; i < held_after.size(); ++i) held_after[i]["before"] = held_before[i]["predicted"];
    s["holdout"] = held_after;
  }
  if (o.median_frame) {
    s["median_frame"] = {{"count", o.median_count},
                         {"predicted_after", count_in_frame(net, result.median, scale, o.roi)}};
  }
  if (first_negative < data.counted.size())
    s["motion_negatives"] = motion_summary(o, result, data.counted.size() - first_negative, motion_before,
                                           check_motion(net, data.counted, first_negative));
  if (auto* peaks = dynamic_cast<PeakCountNet*>(&net)) {
    const auto [low, high] = peaks->peak_range();
    s["peak_range"] = {low, high};
    s["static_peaks"] = peaks->static_peaks();
  }
  bundle.meta.input_scale = scale;
  bundle.meta.roi = o.roi;
  return result;
}

}  // namespace rv
