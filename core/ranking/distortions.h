#pragma once
// Parametric distortions for self-supervised IQA ranking (paper §4.2 and its
// appendix). Distorting a pristine image at increasing levels gives images of
// known quality order: pristine > level 1 > level 2 > ...
//
// Two sets:
//  - Tid2013: the 17 types of TID2013 the paper generates, 4 levels each, with
//    the parameters listed in the paper's appendix.
//  - Live: LIVE's four types (GB, GN, JPEG, JP2K) at 5 levels; the paper gives
//    no values, so the ones chosen here (see distortion_parameter) span LIVE's
//    published ranges from barely visible to severe.
//
// JPEG uses cv::imencode(".jpg"), JPEG2000 cv::imencode(".jp2") (OpenJPEG in
// Debian's OpenCV 4.6). OpenCV's JPEG2000 encoder takes the rate as an integer
// IMWRITE_JPEG2000_COMPRESSION_X1000 = round(1000 / ratio), so the ratios
// actually reached are 1000/round(1000/ratio): TID2013 52, 150, 343, 600 become
// 52.6, 142.9, 333, 500 (still strictly increasing). An OpenCV built without
// JPEG2000 makes distort() throw rv::Error saying so.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace rv {

// Values are the TID2013 distortion numbers.
enum class Distortion {
  AdditiveGaussianNoise = 1,    // #01 white Gaussian noise in RGB (LIVE "GN")
  ColorNoise = 2,               // #02 Gaussian noise in YCbCr components
  HighFrequencyNoise = 5,       // #05 high-pass filtered Gaussian noise
  ImpulseNoise = 6,             // #06 salt & pepper
  QuantizationNoise = 7,        // #07 uniform quantisation of each channel
  GaussianBlur = 8,             // #08 (LIVE "GB")
  Denoising = 9,                // #09 Gaussian noise then non-local-means denoising
  Jpeg = 10,                    // #10 JPEG compression (LIVE "JPEG")
  Jpeg2000 = 11,                // #11 JPEG2000 compression (LIVE "JP2K")
  PatternNoise = 14,            // #14 non-eccentricity pattern noise (15x15 patches moved)
  LocalBlockwise = 15,          // #15 32x32 blocks replaced by one colour
  MeanShift = 16,               // #16 intensity shift, direction from the seed
  ContrastChange = 17,          // #17 contrast scaling, direction from the seed
  SaturationChange = 18,        // #18 chroma scaled by the TID2013 control factor
  MultiplicativeNoise = 19,     // #19 multiplicative Gaussian noise
  ColorQuantizationDither = 22, // #22 palette of n colours + Floyd–Steinberg dithering
  ChromaticAberration = 23,     // #23 R and B channels shifted apart
};

enum class DistortionSet { Tid2013, Live };

std::vector<Distortion> distortion_types(DistortionSet set);  // 17 or 4, ascending number
int distortion_levels(DistortionSet set);                     // 4 or 5
bool distortion_in_set(Distortion type, DistortionSet set);

// Short lowercase names ("awgn", "jpeg", "blur", ...).
std::string distortion_name(Distortion type);
std::string distortion_set_name(DistortionSet set);  // "tid2013", "live"
// Accepts a name from distortion_name, a TID2013 number ("8", "08", "#08"),
// or a LIVE abbreviation ("gb", "gn", "jpeg", "jp2k"), case-insensitive.
// Throws rv::InputError listing the valid names.
Distortion parse_distortion(const std::string& text);
DistortionSet parse_distortion_set(const std::string& text);

// The parameter behind one level (1-based), in the unit the paper uses:
// noise variance on a 0..1 intensity scale, blur sigma in pixels, JPEG quality,
// JPEG2000 compression ratio, patch/block count, shift in grey levels, contrast
// factor magnitude, saturation control factor, quantisation step or palette
// size, R-channel shift in pixels.
double distortion_parameter(Distortion type, int level, DistortionSet set);

// Distorts an 8-bit BGR image (CV_8UC3). level 1..distortion_levels(set);
// level 0 returns a pristine copy. The output is a function of (image, type,
// level, set, seed) only. Every level of one seed uses the same random field
// (noise, patch positions, direction), so a ladder built from one seed gets
// monotonically worse rather than merely differently random.
// Throws rv::InputError for an image that is not 8-bit BGR, a type outside
// the set, or a level outside 0..levels.
cv::Mat distort(const cv::Mat& bgr8, Distortion type, int level, DistortionSet set, uint64_t seed);

// One image of a ranked IQA set. Higher rank = better quality (the project's
// ranking convention): pristine has rank `levels`, level L has rank levels - L.
struct DistortedImage {
  cv::Mat image;
  int group = 0;   // source image id; only images of one group are comparable
  int rank = 0;
  int level = 0;   // 0 = pristine
  Distortion type = Distortion::AdditiveGaussianNoise;
};

// Pristine copy plus every level of one type, pristine first.
std::vector<DistortedImage> distortion_ladder(const cv::Mat& bgr8, Distortion type, DistortionSet set,
                                              uint64_t seed, int group = 0);

}  // namespace rv
