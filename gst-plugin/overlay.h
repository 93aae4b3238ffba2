#pragma once
// What the elements draw: the density heat map, a text label in a box, zone
// outlines and a score bar. All on a Canvas, any accepted format.
#include <string>

#include "canvas.h"
#include "colormap.h"
#include "frame_result.h"

namespace rvgst {

// Density blended over the frame on a square-root scale of the map's maximum
// (so one person in a sparse scene shows as clearly as a dense crowd): colour
// and opacity both grow with it, and cells below 2 % of the peak stay untouched.
void draw_density(Canvas& canvas, const DensityMap& density, const Colormap& colormap, float alpha);
// The heat map's key, bottom left: the colour bar and the people per cell at
// its top end ("PEOPLE/CELL 0 - 0.12"; a cell is 8 or 16 frame pixels square).
void draw_density_legend(Canvas& canvas, const DensityMap& density, const Colormap& colormap);
// Text on a dark translucent box; the font scales with the frame height.
// `row` stacks labels from the top-left corner.
// `right`: against the right edge (iqascore), so both elements can draw on one frame.
void draw_label(Canvas& canvas, const std::string& text, int row, Rgb colour, bool right = false);
void draw_polygon(Canvas& canvas, const Polygon& polygon, Rgb colour);
// A horizontal bar filled to fraction (0..1) under the labels.
void draw_bar(Canvas& canvas, double fraction, int row, Rgb colour, bool right = false);
int label_scale(const Canvas& canvas);

}  // namespace rvgst
