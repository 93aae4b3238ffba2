#pragma once
// The CLI's one plotting module (OpenCV drawing, PNG out): line plots
// (active-sim's MAE per labelled fraction) and scatter plots with the y = x
// diagonal (eval-count --plot: predicted against true count).
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace rv::cli {

struct PlotSeries {
  std::string label;  // in the legend; empty: not listed
  std::vector<double> x, y;
  cv::Scalar colour{40, 40, 220};  // BGR
  bool lines = true;               // false: markers only (a scatter)
};

struct PlotSpec {
  std::string title, x_label, y_label;
  std::vector<PlotSeries> series;
  std::vector<double> x_ticks;  // empty: five even ticks
  bool x_percent = false;       // tick labels as percentages of 1
  bool diagonal = false;        // the y = x line, with equal axes from 0
  int width = 800, height = 520;
};

cv::Mat draw_plot(const PlotSpec& spec);
// Encodes as PNG and writes it atomically (temp file + rename).
void write_plot_png(const std::string& path, const cv::Mat& image);

}  // namespace rv::cli
