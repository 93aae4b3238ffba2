#pragma once
// What the elements draw: the density heat map, a text label in a box, zone
// outlines and a score bar. All on a Canvas, any accepted format.
#include <string>

#include "canvas.h"
#include "colormap.h"
#include "frame_result.h"

namespace rvgst {

// Density blended over the frame: each pixel's alpha grows with its density
// (normalised by the map's maximum), so empty areas stay untouched.
void draw_density(Canvas& canvas, const DensityMap& density, const Colormap& colormap, float alpha);
// Text on a dark translucent box; the font scales with the frame height.
// `row` stacks labels from the top-left corner.
// `right`: against the right edge (iqascore), so both elements can draw on one frame.
void draw_label(Canvas& canvas, const std::string& text, int row, Rgb colour, bool right = false);
void draw_polygon(Canvas& canvas, const Polygon& polygon, Rgb colour);
// A horizontal bar filled to fraction (0..1) under the labels.
void draw_bar(Canvas& canvas, double fraction, int row, Rgb colour, bool right = false);
int label_scale(const Canvas& canvas);

}  // namespace rvgst
