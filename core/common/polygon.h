#pragma once
// Polygons of a camera's regions (the element's roi and zones, adapt --roi,
// a bundle's ROI): one parser and one rule for what lies inside, shared by the
// GStreamer elements and the trainer so both count the same people.
//   The rule: a density cell (or pixel) belongs to a region when its centre lies
//   inside the polygon (even-odd rule).
// Torch- and OpenCV-free.
#include <string>
#include <utility>
#include <vector>

namespace rv {

using Polygon = std::vector<std::pair<double, double>>;

// Numbers separated by commas and/or white space: "x,y x,y x,y", "x1,y1,x2,y2,...".
// rv::InputError naming `what` and the token that is not a number.
std::vector<double> parse_numbers(const std::string& text, const std::string& what);
// From a flat list: 4 numbers are a rectangle x,y,width,height when `allow_rect`,
// otherwise at least three x,y points. rv::InputError naming `what` otherwise.
Polygon polygon_from_numbers(const std::vector<double>& numbers, const std::string& what, bool allow_rect);
Polygon parse_polygon(const std::string& text, const std::string& what, bool allow_rect);
Polygon rect_polygon(double x, double y, double width, double height, const std::string& what);

// The region rule: (x, y) is inside `polygon` (even-odd).
bool polygon_contains(const Polygon& polygon, double x, double y);
// rows × cols cells of cell_w × cell_h units each: 1 where the cell's centre is
// inside the polygon, else 0 (row-major). All ones for an empty polygon.
std::vector<float> polygon_cell_mask(int rows, int cols, double cell_w, double cell_h, const Polygon& polygon);

}  // namespace rv
