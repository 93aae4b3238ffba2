#include "plot.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "common/error.h"
#include "iqa_cli_util.h"

namespace rv::cli {

namespace {

struct Frame {  // data range and pixel box of the plot area
  double xmin, xmax, ymin, ymax;
  int left = 80, right = 30, top = 50, bottom = 70, W, H;
  int px(double v) const { return left + static_cast<int>((v - xmin) / (xmax - xmin) * (W - left - right)); }
  int py(double v) const { return H - bottom - static_cast<int>((v - ymin) / (ymax - ymin) * (H - top - bottom)); }
};

Frame data_frame(const PlotSpec& s) {
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const auto& ser : s.series) {
    for (double v : ser.x) xmin = std::min(xmin, v), xmax = std::max(xmax, v);
    for (double v : ser.y) ymin = std::min(ymin, v), ymax = std::max(ymax, v);
  }
  if (xmin > xmax) xmin = 0, xmax = 1;
  if (ymin > ymax) ymin = 0, ymax = 1;
  Frame f{};
  f.W = s.width;
  f.H = s.height;
  if (s.diagonal) {  // equal axes from 0, so the diagonal is at 45 degrees
    const double hi = std::max({xmax, ymax, 1e-9}) * 1.05;
    f.xmin = f.ymin = 0;
    f.xmax = f.ymax = hi;
    return f;
  }
  f.xmin = std::min(0.0, xmin);
  f.xmax = std::max(xmax * 1.05, f.xmin + 1e-9);
  f.ymin = std::max(0.0, ymin - 0.1 * (ymax - ymin + 1e-9));
  f.ymax = ymax + 0.1 * (ymax - ymin + 1e-9);
  return f;
}

std::string tick_text(double v, double step, bool percent) {
  if (percent) return std::to_string(static_cast<int>(std::round(v * 100))) + "%";
  const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step))) + 1, 0, 6);
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

void draw_axes(cv::Mat& img, const Frame& f, const PlotSpec& s) {
  const cv::Scalar black(0, 0, 0), grey(210, 210, 210);
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  const double ystep = (f.ymax - f.ymin) / 5;
  for (int t = 0; t <= 5; ++t) {
    const double yv = f.ymin + ystep * t;
    cv::line(img, {f.left, f.py(yv)}, {f.W - f.right, f.py(yv)}, grey, 1);
    cv::putText(img, tick_text(yv, ystep, false), {4, f.py(yv) + 5}, font, 0.42, black, 1, cv::LINE_AA);
  }
  std::vector<double> xt = s.x_ticks;
  const double xstep = (f.xmax - f.xmin) / 5;
  if (xt.empty())
    for (int t = 0; t <= 5; ++t) xt.push_back(f.xmin + xstep * t);
  for (double xv : xt) {
    cv::line(img, {f.px(xv), f.top}, {f.px(xv), f.H - f.bottom}, grey, 1);
    cv::putText(img, tick_text(xv, xstep, s.x_percent), {f.px(xv) - 14, f.H - f.bottom + 20}, font, 0.45, black, 1,
                cv::LINE_AA);
  }
  cv::line(img, {f.left, f.H - f.bottom}, {f.W - f.right, f.H - f.bottom}, black, 2);
  cv::line(img, {f.left, f.top}, {f.left, f.H - f.bottom}, black, 2);
  cv::putText(img, s.x_label, {f.W / 2 - 120, f.H - 25}, font, 0.55, black, 1, cv::LINE_AA);
  cv::putText(img, s.y_label, {10, f.top - 15}, font, 0.55, black, 1, cv::LINE_AA);
  cv::putText(img, s.title, {f.left + 120, 30}, font, 0.6, black, 1, cv::LINE_AA);
}

void draw_legend(cv::Mat& img, const Frame& f, const PlotSpec& s) {
  std::vector<const PlotSeries*> listed;
  for (const auto& ser : s.series)
    if (!ser.label.empty()) listed.push_back(&ser);
  if (listed.empty()) return;
  const int lx = f.W - f.right - 210, ly = f.top + 10, rows = static_cast<int>(listed.size());
  cv::rectangle(img, {lx, ly}, {lx + 200, ly + 10 + 21 * rows}, cv::Scalar(0, 0, 0), 1);
  for (int i = 0; i < rows; ++i) {
    const int y = ly + 17 + 21 * i;
    if (listed[i]->lines)
      cv::line(img, {lx + 10, y}, {lx + 40, y}, listed[i]->colour, 2, cv::LINE_AA);
    else
      cv::circle(img, {lx + 25, y}, 4, listed[i]->colour, cv::FILLED, cv::LINE_AA);
    cv::putText(img, listed[i]->label, {lx + 48, y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
  }
}

}  // namespace

cv::Mat draw_plot(const PlotSpec& spec) {
  cv::Mat img(spec.height, spec.width, CV_8UC3, cv::Scalar(255, 255, 255));
  const Frame f = data_frame(spec);
  draw_axes(img, f, spec);
  if (spec.diagonal)
    cv::line(img, {f.px(0), f.py(0)}, {f.px(f.xmax), f.py(f.ymax)}, cv::Scalar(120, 120, 120), 1, cv::LINE_AA);
  for (const auto& ser : spec.series) {
    const size_t n = std::min(ser.x.size(), ser.y.size());
    for (size_t i = 0; i < n; ++i) {
      const cv::Point p(f.px(ser.x[i]), f.py(ser.y[i]));
      if (ser.lines && i > 0)
        cv::line(img, {f.px(ser.x[i - 1]), f.py(ser.y[i - 1])}, p, ser.colour, 2, cv::LINE_AA);
      cv::circle(img, p, ser.lines ? 4 : 3, ser.colour, cv::FILLED, cv::LINE_AA);
    }
  }
  draw_legend(img, f, spec);
  return img;
}

void write_plot_png(const std::string& path, const cv::Mat& image) {
  std::vector<uchar> png;
  if (!cv::imencode(".png", image, png)) throw Error(path + ": cannot encode the plot as PNG");
  write_text_atomic(path, std::string(png.begin(), png.end()));
}

}  // namespace rv::cli
