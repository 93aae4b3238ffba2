#pragma once
// Regions of interest of a camera: polygons in normalised 0..1 frame
// coordinates (what `adapt --roi` takes and a bundle stores).
#include <opencv2/core.hpp>

#include <string>
#include <utility>
#include <vector>

#include "common/polygon.h"

namespace rv {

using RoiPolygon = Polygon;  // normalised 0..1 of the frame size

// "x,y x,y x,y ..." (also ';' between points), at least 3 points inside 0..1.
// rv::InputError naming `what` (a flag or file) and the reason otherwise.
RoiPolygon parse_roi(const std::string& text, const std::string& what);
// Bounding box of the polygon in a frame of `size` (the whole frame when empty).
cv::Rect roi_box(const RoiPolygon& roi, cv::Size size);
// CV_8U mask (255 inside) of the polygon at `size` (all 255 when empty): a pixel
// is inside when its centre is (the rule of common/polygon.h, as the elements count).
cv::Mat roi_mask(const RoiPolygon& roi, cv::Size size);

}  // namespace rv
