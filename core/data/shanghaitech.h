#pragma once
// ShanghaiTech crowd counting annotations (Zhang et al., MCNN, CVPR'16).
// Layout: DIR/images/IMG_n.jpg with DIR/ground-truth/GT_IMG_n.mat. Each .mat
// holds `image_info`, a 1×1 cell with a 1×1 struct whose field `location` is an
// N×2 double array of (x, y) head positions in 1-based MATLAB pixel
// coordinates, and usually `number` (N). Read with matio.
#include <string>
#include <vector>

#include "data/points.h"

namespace rv {

struct ShanghaiTechAnnotation {
  Points points;     // 0-based (see data/points.h): MATLAB coordinates minus 1
  double number = -1;  // the file's `number` field, -1 when the file has none
};

// Throws rv::InputError naming the file and what is wrong (not a MAT file,
// no image_info, wrong nesting, no location field, not N×2 numeric, number
// disagreeing with the location count).
ShanghaiTechAnnotation read_shanghaitech_mat(const std::string& path);

struct ShanghaiTechItem {
  int index = 0;            // n of IMG_n
  std::string image_path;
  std::string annotation_path;
};

// Every DIR/images/IMG_n.<jpg|jpeg|png> paired with DIR/ground-truth/GT_IMG_n.mat,
// sorted by n. Throws rv::InputError when a folder is missing, holds no
// images, or an image has no annotation file (naming the expected path).
std::vector<ShanghaiTechItem> list_shanghaitech(const std::string& dir);

}  // namespace rv
