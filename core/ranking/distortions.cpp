#include "ranking/distortions.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace rv {

namespace {

struct TypeInfo {
  Distortion type;
  const char* name;
  std::array<double, 4> tid;  // TID2013 levels 1..4 (paper appendix)
};

// The appendix's parameters. For mean shift and contrast the table holds the
// magnitudes of the "upward" direction; the other direction is in distort().
const TypeInfo kTypes[] = {
    {Distortion::AdditiveGaussianNoise, "awgn", {0.001, 0.005, 0.01, 0.05}},
    {Distortion::ColorNoise, "color_noise", {0.0140, 0.0198, 0.0343, 0.0524}},
    {Distortion::HighFrequencyNoise, "hf_noise", {0.001, 0.005, 0.01, 0.05}},
    {Distortion::ImpulseNoise, "impulse", {0.005, 0.01, 0.05, 0.1}},
    {Distortion::QuantizationNoise, "quantization", {27, 39, 55, 76}},
    {Distortion::GaussianBlur, "blur", {1.2, 2.5, 6.5, 15.2}},
    {Distortion::Denoising, "denoise", {0.001, 0.005, 0.01, 0.05}},
    {Distortion::Jpeg, "jpeg", {43, 12, 7, 4}},
    {Distortion::Jpeg2000, "jp2k", {52, 150, 343, 600}},
    {Distortion::PatternNoise, "pattern_noise", {30, 70, 150, 300}},
    {Distortion::LocalBlockwise, "block", {2, 4, 8, 16}},
    {Distortion::MeanShift, "mean_shift", {15, 30, 45, 60}},
    {Distortion::ContrastChange, "contrast", {1.2, 1.4, 1.6, 1.8}},
    {Distortion::SaturationChange, "saturation", {0.4, 0.0, -0.4, -0.8}},
    {Distortion::MultiplicativeNoise, "multiplicative_noise", {0.05, 0.09, 0.13, 0.2}},
    {Distortion::ColorQuantizationDither, "color_quant_dither", {64, 32, 16, 8}},
    {Distortion::ChromaticAberration, "chromatic_aberration", {2, 6, 10, 14}},
};

// Contrast's downward direction and #23's B-channel shift (appendix).
const std::array<double, 4> kContrastDown = {0.85, 0.7, 0.55, 0.4};
const std::array<int, 4> kAberrationBlue = {1, 3, 5, 7};

// LIVE: chosen here (the paper gives no values), spanning LIVE's ranges.
// GB: sigma in px; GN: noise variance on 0..1; JPEG: quality; JP2K: ratio.
const std::array<double, 5> kLiveBlur = {0.8, 1.6, 3.2, 6.4, 12.8};
const std::array<double, 5> kLiveNoise = {0.0005, 0.002, 0.006, 0.02, 0.06};
const std::array<double, 5> kLiveJpeg = {45, 25, 12, 6, 2};
const std::array<double, 5> kLiveJp2k = {24, 48, 96, 192, 384};

const TypeInfo& info(Distortion type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t;
  throw_input_error("distortion", "unknown type number " + std::to_string(static_cast<int>(type)));
}

// splitmix64: turns (seed, purpose) into well-mixed independent states.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

cv::RNG make_rng(uint64_t seed, Distortion type) {
  uint64_t state = mix(seed ^ mix(static_cast<uint64_t>(type)));
  return cv::RNG(state == 0 ? 1 : state);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

cv::Mat to_float(const cv::Mat& bgr8) {
  cv::Mat f;
  bgr8.convertTo(f, CV_32FC3);
  return f;
}

cv::Mat to_u8(const cv::Mat& f) {
  cv::Mat out;
  f.convertTo(out, CV_8UC3);  // rounds and saturates to 0..255
  return out;
}

cv::Mat gaussian_field(cv::RNG& rng, cv::Size size, int channels) {
  cv::Mat n(size, CV_32FC(channels));
  rng.fill(n, cv::RNG::NORMAL, 0.0, 1.0);
  return n;
}

cv::Mat add_gaussian_noise(const cv::Mat& bgr8, double variance, cv::RNG& rng) {
  const cv::Mat n = gaussian_field(rng, bgr8.size(), 3);
  return to_u8(to_float(bgr8) + n * (std::sqrt(variance) * 255.0));
}

cv::Mat color_noise(const cv::Mat& bgr8, double variance, cv::RNG& rng) {
  // Same variance in Y, Cr and Cb (TID2013 gives no split); float YCrCb on 0..1.
  cv::Mat f, ycc;
  bgr8.convertTo(f, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(f, ycc, cv::COLOR_BGR2YCrCb);
  ycc += gaussian_field(rng, bgr8.size(), 3) * std::sqrt(variance);
  cv::cvtColor(ycc, f, cv::COLOR_YCrCb2BGR);
  cv::Mat out;
  f.convertTo(out, CV_8UC3, 255.0);
  return out;
}

cv::Mat high_frequency_noise(const cv::Mat& bgr8, double variance, cv::RNG& rng) {
  // High-pass = identity minus a Gaussian low-pass (sigma 1.5 px): the spatial
  // form of multiplying the noise spectrum by 1 - G(u, v).
  cv::Mat n = gaussian_field(rng, bgr8.size(), 3) * (std::sqrt(variance) * 255.0);
  cv::Mat low;
  cv::GaussianBlur(n, low, cv::Size(0, 0), 1.5, 1.5, cv::BORDER_REFLECT_101);
  return to_u8(to_float(bgr8) + (n - low));
}

cv::Mat impulse_noise(const cv::Mat& bgr8, double density, cv::RNG& rng) {
  // Two independent fields: which pixels are hit (grows with density) and
  // salt or pepper (fixed per pixel), so a higher level only adds hits.
  cv::Mat hit(bgr8.size(), CV_32F), salt(bgr8.size(), CV_32F);
  rng.fill(hit, cv::RNG::UNIFORM, 0.0, 1.0);
  rng.fill(salt, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::Mat out = bgr8.clone();
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x)
      if (hit.at<float>(y, x) < density) {
        const uchar v = salt.at<float>(y, x) < 0.5f ? 255 : 0;
        out.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
      }
  return out;
}

cv::Mat quantization_noise(const cv::Mat& bgr8, double step) {
  // Uniform quantiser, reconstruction at the bin centre.
  cv::Mat out(bgr8.size(), CV_8UC3);
  uchar lut[256];
  for (int v = 0; v < 256; ++v)
    lut[v] = cv::saturate_cast<uchar>(std::floor(v / step) * step + step / 2.0);
  const cv::Mat table(1, 256, CV_8U, lut);
  cv::LUT(bgr8, table, out);
  return out;
}

cv::Mat blur(const cv::Mat& bgr8, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(bgr8, out, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT_101);
  return out;
}

cv::Mat denoised(const cv::Mat& bgr8, double variance, cv::RNG& rng) {
  // TID2013 used BM3D; OpenCV's non-local means stands in, with its filter
  // strength tied to the noise level as a denoiser tuned to it would be.
  const cv::Mat noisy = add_gaussian_noise(bgr8, variance, rng);
  const float h = static_cast<float>(0.75 * std::sqrt(variance) * 255.0);
  cv::Mat out;
  cv::fastNlMeansDenoisingColored(noisy, out, h, h, 7, 21);
  return out;
}

cv::Mat reencode(const cv::Mat& bgr8, const std::string& ext, const std::vector<int>& params,
                 const char* what) {
  std::vector<uchar> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(ext, bgr8, bytes, params);
  } catch (const cv::Exception& e) {
    throw Error(std::string("distortion ") + what + ": OpenCV cannot encode " + ext + " (" + e.what() + ")");
  }
  if (!ok) throw Error(std::string("distortion ") + what + ": OpenCV cannot encode " + ext);
  cv::Mat out = cv::imdecode(bytes, cv::IMREAD_COLOR);
  if (out.empty()) throw Error(std::string("distortion ") + what + ": OpenCV cannot decode " + ext);
  return out;
}

cv::Mat jpeg(const cv::Mat& bgr8, double quality) {
  return reencode(bgr8, ".jpg", {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(std::lround(quality))}, "jpeg");
}

cv::Mat jpeg2000(const cv::Mat& bgr8, double ratio) {
  const int x1000 = std::max(1, static_cast<int>(std::lround(1000.0 / ratio)));
  // OpenJPEG's default 6 resolution levels need sides of at least 32 px:
  // smaller images are padded (edge replicated) for coding and cropped back.
  const int min_side = 32;
  const int pad_x = std::max(0, min_side - bgr8.cols), pad_y = std::max(0, min_side - bgr8.rows);
  if (pad_x == 0 && pad_y == 0)
    return reencode(bgr8, ".jp2", {cv::IMWRITE_JPEG2000_COMPRESSION_X1000, x1000}, "jp2k");
  cv::Mat padded;
  cv::copyMakeBorder(bgr8, padded, 0, pad_y, 0, pad_x, cv::BORDER_REPLICATE);
  const cv::Mat coded = reencode(padded, ".jp2", {cv::IMWRITE_JPEG2000_COMPRESSION_X1000, x1000}, "jp2k");
  return coded(cv::Rect(0, 0, bgr8.cols, bgr8.rows)).clone();
}

int uniform_int(cv::RNG& rng, int lo, int hi_inclusive) {
  return lo + static_cast<int>(rng.uniform(0, hi_inclusive - lo + 1));
}

cv::Mat pattern_noise(const cv::Mat& bgr8, int patches, cv::RNG& rng) {
  // 15x15 patches copied from the pristine image to a spot up to 10 px away.
  // A fixed number of draws per patch keeps level L's first patches equal to
  // level L-1's.
  const int p = std::min({15, bgr8.cols, bgr8.rows});
  const int reach = 10;
  cv::Mat out = bgr8.clone();
  for (int i = 0; i < patches; ++i) {
    const int sx = uniform_int(rng, 0, bgr8.cols - p);
    const int sy = uniform_int(rng, 0, bgr8.rows - p);
    int dx = uniform_int(rng, -reach, reach);
    const int dy = uniform_int(rng, -reach, reach);
    if (dx == 0 && dy == 0) dx = 1;
    const int tx = std::clamp(sx + dx, 0, bgr8.cols - p);
    const int ty = std::clamp(sy + dy, 0, bgr8.rows - p);
    bgr8(cv::Rect(sx, sy, p, p)).copyTo(out(cv::Rect(tx, ty, p, p)));
  }
  return out;
}

cv::Mat local_blockwise(const cv::Mat& bgr8, int blocks, cv::RNG& rng) {
  const int b = std::min({32, bgr8.cols, bgr8.rows});
  cv::Mat out = bgr8.clone();
  for (int i = 0; i < blocks; ++i) {
    const int x = uniform_int(rng, 0, bgr8.cols - b);
    const int y = uniform_int(rng, 0, bgr8.rows - b);
    const cv::Scalar colour(uniform_int(rng, 0, 255), uniform_int(rng, 0, 255), uniform_int(rng, 0, 255));
    out(cv::Rect(x, y, b, b)).setTo(colour);
  }
  return out;
}

cv::Mat mean_shift(const cv::Mat& bgr8, double shift) {
  cv::Mat out;
  bgr8.convertTo(out, CV_8UC3, 1.0, shift);
  return out;
}

cv::Mat contrast(const cv::Mat& bgr8, double factor) {
  // Scale deviations from the global mean intensity.
  const cv::Scalar m = cv::mean(bgr8);
  const double mean = (m[0] + m[1] + m[2]) / 3.0;
  cv::Mat out;
  bgr8.convertTo(out, CV_8UC3, factor, mean * (1.0 - factor));
  return out;
}

cv::Mat saturation(const cv::Mat& bgr8, double factor) {
  // Chroma (Cr, Cb around 128) scaled by the control factor: 0 gives grey,
  // negative values also swap hues to their opposites.
  cv::Mat ycc;
  cv::cvtColor(bgr8, ycc, cv::COLOR_BGR2YCrCb);
  cv::Mat f;
  ycc.convertTo(f, CV_32FC3);
  std::vector<cv::Mat> ch;
  cv::split(f, ch);
  for (int c = 1; c < 3; ++c) ch[c] = (ch[c] - 128.0f) * factor + 128.0f;
  cv::merge(ch, f);
  f.convertTo(ycc, CV_8UC3);
  cv::Mat out;
  cv::cvtColor(ycc, out, cv::COLOR_YCrCb2BGR);
  return out;
}

cv::Mat multiplicative_noise(const cv::Mat& bgr8, double variance, cv::RNG& rng) {
  const cv::Mat f = to_float(bgr8);
  const cv::Mat n = gaussian_field(rng, bgr8.size(), 3) * std::sqrt(variance);
  return to_u8(f + f.mul(n));
}

// Median-cut palette: split the box with the widest channel range at its
// median until `colours` boxes exist; each box's mean is one palette entry.
// Splits are greedy and deterministic, so a smaller palette is a coarser
// version of a larger one.
std::vector<cv::Vec3f> median_cut_palette(const cv::Mat& bgr8, int colours) {
  std::vector<cv::Vec3b> px;
  const size_t total = bgr8.total();
  const size_t step = std::max<size_t>(1, total / 65536);  // bounded work on big images
  for (size_t i = 0; i < total; i += step) px.push_back(bgr8.at<cv::Vec3b>(static_cast<int>(i)));
  struct Box { size_t begin, end; int channel; int range; };
  auto measure = [&](size_t b, size_t e) {
    Box box{b, e, 0, -1};
    for (int c = 0; c < 3; ++c) {
      int lo = 255, hi = 0;
      for (size_t i = b; i < e; ++i) { lo = std::min<int>(lo, px[i][c]); hi = std::max<int>(hi, px[i][c]); }
      if (hi - lo > box.range) { box.range = hi - lo; box.channel = c; }
    }
    return box;
  };
  std::vector<Box> boxes{measure(0, px.size())};
  while (static_cast<int>(boxes.size()) < colours) {
    size_t best = boxes.size();
    for (size_t i = 0; i < boxes.size(); ++i)
      if (boxes[i].end - boxes[i].begin >= 2 && boxes[i].range > 0 &&
          (best == boxes.size() || boxes[i].range > boxes[best].range))
        best = i;
    if (best == boxes.size()) break;  // fewer distinct colours than asked for
    const Box box = boxes[best];
    const size_t mid = box.begin + (box.end - box.begin) / 2;
    const int c = box.channel;
    std::nth_element(px.begin() + box.begin, px.begin() + mid, px.begin() + box.end,
                     [c](const cv::Vec3b& a, const cv::Vec3b& b) { return a[c] < b[c]; });
    boxes[best] = measure(box.begin, mid);
    boxes.push_back(measure(mid, box.end));
  }
  std::vector<cv::Vec3f> palette;
  for (const auto& box : boxes) {
    cv::Vec3d sum(0, 0, 0);
    for (size_t i = box.begin; i < box.end; ++i) sum += cv::Vec3d(px[i][0], px[i][1], px[i][2]);
    const double n = static_cast<double>(box.end - box.begin);
    palette.emplace_back(static_cast<float>(sum[0] / n), static_cast<float>(sum[1] / n),
                         static_cast<float>(sum[2] / n));
  }
  return palette;
}

cv::Mat colour_quantization_dither(const cv::Mat& bgr8, int colours) {
  const auto palette = median_cut_palette(bgr8, colours);
  cv::Mat work = to_float(bgr8);
  cv::Mat out(bgr8.size(), CV_8UC3);
  const int w = work.cols, h = work.rows;
  // Floyd–Steinberg error diffusion in raster order.
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const cv::Vec3f v = work.at<cv::Vec3f>(y, x);
      size_t best = 0;
      float best_d = std::numeric_limits<float>::max();
      for (size_t i = 0; i < palette.size(); ++i) {
        const cv::Vec3f d = v - palette[i];
        const float dd = d.dot(d);
        if (dd < best_d) { best_d = dd; best = i; }
      }
      const cv::Vec3f q = palette[best];
      out.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(q[0]), cv::saturate_cast<uchar>(q[1]),
                                          cv::saturate_cast<uchar>(q[2]));
      const cv::Vec3f err = v - q;
      if (x + 1 < w) work.at<cv::Vec3f>(y, x + 1) += err * (7.0f / 16.0f);
      if (y + 1 < h) {
        if (x > 0) work.at<cv::Vec3f>(y + 1, x - 1) += err * (3.0f / 16.0f);
        work.at<cv::Vec3f>(y + 1, x) += err * (5.0f / 16.0f);
        if (x + 1 < w) work.at<cv::Vec3f>(y + 1, x + 1) += err * (1.0f / 16.0f);
      }
    }
  }
  return out;
}

cv::Mat shift_channel(const cv::Mat& channel, int dx) {
  cv::Mat out;
  const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, 0);
  cv::warpAffine(channel, out, m, channel.size(), cv::INTER_NEAREST, cv::BORDER_REPLICATE);
  return out;
}

cv::Mat chromatic_aberration(const cv::Mat& bgr8, int red_shift, int blue_shift) {
  // R moves right, B moves left: the mutual shift of the appendix.
  std::vector<cv::Mat> ch;
  cv::split(bgr8, ch);
  ch[2] = shift_channel(ch[2], red_shift);
  ch[0] = shift_channel(ch[0], -blue_shift);
  cv::Mat out;
  cv::merge(ch, out);
  return out;
}

void check_level(int level, DistortionSet set) {
  const int levels = distortion_levels(set);
  if (level < 0 || level > levels)
    throw_input_error("distortion level", std::to_string(level) + " outside 0.." + std::to_string(levels) +
                                              " for the " + distortion_set_name(set) + " set");
}

void check_type(Distortion type, DistortionSet set) {
  info(type);  // throws for an unknown number
  if (!distortion_in_set(type, set))
    throw_input_error("distortion " + distortion_name(type), "not part of the " + distortion_set_name(set) + " set");
}

}  // namespace

std::vector<Distortion> distortion_types(DistortionSet set) {
  if (set == DistortionSet::Live)
    return {Distortion::AdditiveGaussianNoise, Distortion::GaussianBlur, Distortion::Jpeg, Distortion::Jpeg2000};
  std::vector<Distortion> all;
  for (const auto& t : kTypes) all.push_back(t.type);
  return all;
}

int distortion_levels(DistortionSet set) { return set == DistortionSet::Live ? 5 : 4; }

bool distortion_in_set(Distortion type, DistortionSet set) {
  const auto types = distortion_types(set);
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string distortion_name(Distortion type) { return info(type).name; }

std::string distortion_set_name(DistortionSet set) { return set == DistortionSet::Live ? "live" : "tid2013"; }

Distortion parse_distortion(const std::string& text) {
  std::string t = lower(text);
  if (t == "gb") return Distortion::GaussianBlur;
  if (t == "gn" || t == "wn") return Distortion::AdditiveGaussianNoise;
  if (t == "jp2") return Distortion::Jpeg2000;
  for (const auto& ti : kTypes)
    if (t == ti.name) return ti.type;
  std::string digits = t;
  if (!digits.empty() && digits[0] == '#') digits.erase(0, 1);
  if (!digits.empty() && digits.size() <= 2 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    const int n = std::stoi(digits);
    for (const auto& ti : kTypes)
      if (static_cast<int>(ti.type) == n) return ti.type;
  }
  std::string valid;
  for (const auto& ti : kTypes) valid += (valid.empty() ? "" : ", ") + std::string(ti.name);
  throw_input_error("distortion \"" + text + "\"",
                    "unknown; use a TID2013 number (01, 02, 05-11, 14-19, 22, 23), gb, gn, or one of: " + valid);
}

DistortionSet parse_distortion_set(const std::string& text) {
  const std::string t = lower(text);
  if (t == "tid2013" || t == "tid") return DistortionSet::Tid2013;
  if (t == "live") return DistortionSet::Live;
  throw_input_error("distortion set \"" + text + "\"", "unknown; use tid2013 or live");
}

double distortion_parameter(Distortion type, int level, DistortionSet set) {
  check_type(type, set);
  check_level(level, set);
  if (level == 0) throw_input_error("distortion level", "0 (pristine) has no parameter");
  const int i = level - 1;
  if (set == DistortionSet::Live) {
    switch (type) {
      case Distortion::GaussianBlur: return kLiveBlur[i];
      case Distortion::AdditiveGaussianNoise: return kLiveNoise[i];
      case Distortion::Jpeg: return kLiveJpeg[i];
      default: return kLiveJp2k[i];
    }
  }
  return info(type).tid[i];
}

cv::Mat distort(const cv::Mat& bgr8, Distortion type, int level, DistortionSet set, uint64_t seed) {
  if (bgr8.empty() || bgr8.type() != CV_8UC3)
    throw_input_error("distortion input", "needs a non-empty 8-bit 3-channel BGR image");
  check_type(type, set);
  check_level(level, set);
  if (level == 0) return bgr8.clone();
  const double p = distortion_parameter(type, level, set);
  cv::RNG rng = make_rng(seed, type);
  // Two independent seed bits choose the direction of #16 and #17.
  const bool upward = (mix(seed ^ 0xD1B54A32D192ED03ULL) & 1) != 0;
  switch (type) {
    case Distortion::AdditiveGaussianNoise: return add_gaussian_noise(bgr8, p, rng);
    case Distortion::ColorNoise: return color_noise(bgr8, p, rng);
    case Distortion::HighFrequencyNoise: return high_frequency_noise(bgr8, p, rng);
    case Distortion::ImpulseNoise: return impulse_noise(bgr8, p, rng);
    case Distortion::QuantizationNoise: return quantization_noise(bgr8, p);
    case Distortion::GaussianBlur: return blur(bgr8, p);
    case Distortion::Denoising: return denoised(bgr8, p, rng);
    case Distortion::Jpeg: return jpeg(bgr8, p);
    case Distortion::Jpeg2000: return jpeg2000(bgr8, p);
    case Distortion::PatternNoise: return pattern_noise(bgr8, static_cast<int>(p), rng);
    case Distortion::LocalBlockwise: return local_blockwise(bgr8, static_cast<int>(p), rng);
    case Distortion::MeanShift: return mean_shift(bgr8, upward ? p : -p);
    case Distortion::ContrastChange: return contrast(bgr8, upward ? p : kContrastDown[level - 1]);
    case Distortion::SaturationChange: return saturation(bgr8, p);
    case Distortion::MultiplicativeNoise: return multiplicative_noise(bgr8, p, rng);
    case Distortion::ColorQuantizationDither: return colour_quantization_dither(bgr8, static_cast<int>(p));
    case Distortion::ChromaticAberration:
      return chromatic_aberration(bgr8, static_cast<int>(p), kAberrationBlue[level - 1]);
  }
  throw_input_error("distortion", "unhandled type");
}

std::vector<DistortedImage> distortion_ladder(const cv::Mat& bgr8, Distortion type, DistortionSet set,
                                              uint64_t seed, int group) {
  const int levels = distortion_levels(set);
  std::vector<DistortedImage> ladder;
  for (int level = 0; level <= levels; ++level)
    ladder.push_back({distort(bgr8, type, level, set, seed), group, levels - level, level, type});
  return ladder;
}

}  // namespace rv
