#include "common/polygon.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>

#include "common/error.h"

namespace rv {

namespace {

double parse_number(const std::string& token, const std::string& what) {
  size_t used = 0;
  double v = NAN;
  try {
    v = std::stod(token, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (token.empty() || used != token.size() || !std::isfinite(v))
    throw_input_error(what, "\"" + token + "\" is not a number");
  return v;
}

}  // namespace

// Tokens separated by white space or ';', each a comma-separated list of
// numbers (white space next to a comma is ignored): one token holds them all
// ("x1,y1,x2,y2,..."), or every token is one "x,y" point.
std::vector<double> parse_numbers(const std::string& text, const std::string& what) {
  std::string joined = std::regex_replace(text, std::regex("\\s*,\\s*"), ",");  // "1, 2" is "1,2"
  std::replace(joined.begin(), joined.end(), ';', ' ');
  std::vector<std::vector<double>> tokens;
  std::istringstream words(joined);
  std::string word;
  while (words >> word) {
    std::vector<double> numbers;
    size_t start = 0;
    for (size_t comma; (comma = word.find(',', start)) != std::string::npos; start = comma + 1)
      numbers.push_back(parse_number(word.substr(start, comma - start), what));
    numbers.push_back(parse_number(word.substr(start), what));
    tokens.push_back(std::move(numbers));
  }
  std::vector<double> values;
  for (const auto& t : tokens) {
    if (tokens.size() > 1 && t.size() != 2)
      throw_input_error(what, "expected points \"x,y x,y x,y ...\" or one list \"x1,y1,x2,y2,...\"");
    values.insert(values.end(), t.begin(), t.end());
  }
  return values;
}

Polygon rect_polygon(double x, double y, double w, double h, const std::string& what) {
  if (!(w > 0) || !(h > 0)) throw_input_error(what, "rectangle width and height must be positive");
  return {{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}};
}

Polygon polygon_from_numbers(const std::vector<double>& v, const std::string& what, bool allow_rect) {
  if (allow_rect && v.size() == 4) return rect_polygon(v[0], v[1], v[2], v[3], what);
  if (v.size() < 6 || v.size() % 2 != 0)
    throw_input_error(what, std::string("expected ") + (allow_rect ? "x,y,width,height or " : "") +
                                "at least three x,y points, got " + std::to_string(v.size()) + " numbers");
  Polygon p;
  for (size_t i = 0; i < v.size(); i += 2) p.emplace_back(v[i], v[i + 1]);
  return p;
}

Polygon parse_polygon(const std::string& text, const std::string& what, bool allow_rect) {
  return polygon_from_numbers(parse_numbers(text, what), what, allow_rect);
}

bool polygon_contains(const Polygon& poly, double x, double y) {
  bool inside = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const auto [xi, yi] = poly[i];
    const auto [xj, yj] = poly[j];
    if (((yi > y) != (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) inside = !inside;
  }
  return inside;
}

std::vector<float> polygon_cell_mask(int rows, int cols, double cell_w, double cell_h, const Polygon& polygon) {
  std::vector<float> mask(static_cast<size_t>(rows) * cols, polygon.empty() ? 1.f : 0.f);
  if (polygon.empty()) return mask;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      if (polygon_contains(polygon, (j + 0.5) * cell_w, (i + 0.5) * cell_h)) mask[static_cast<size_t>(i) * cols + j] = 1.f;
  return mask;
}

}  // namespace rv
