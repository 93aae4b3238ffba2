#pragma once
// Parsing of the crowdcount `roi`, `zones` and `zones-file` properties.
//
//   roi:        "x,y,width,height" (a rectangle) or "x1,y1,x2,y2,x3,y3,..." (a polygon, ≥ 3 points), frame pixels
//   zones:      "door:0,0,80,120;hall:80,0,80,120" — id:rectangle-or-polygon, ';'-separated; the id is optional
//   zones-file: JSON, {"units": "pixels"|"normalized", "zones": [{"id": "door", "polygon": [[x,y],...]},
//                                                             {"id": "hall", "rect": [x,y,w,h], "threshold": 12}]}
//               (a bare array of zones works too)
// Errors throw rv::InputError naming the property or file and the reason.
#include <string>
#include <vector>

#include "frame_result.h"

namespace rvgst {

struct ZoneSet {
  std::vector<Zone> zones;
  bool normalized = false;  // coordinates in 0..1 of the frame size

  // The zones in frame pixels.
  std::vector<Zone> in_pixels(int width, int height) const;
};

Polygon parse_shape(const std::string& text, const std::string& what);
ZoneSet parse_zones(const std::string& text);
ZoneSet load_zones_file(const std::string& path);

}  // namespace rvgst
