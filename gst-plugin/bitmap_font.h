#pragma once
// A built-in 5×7 bitmap font so the elements can write counts and scores on
// the frame without cairo or pango.
#include <cstdint>
#include <string>

#include "canvas.h"

namespace rvgst {

class BitmapFont {
 public:
  static constexpr int kWidth = 5;
  static constexpr int kHeight = 7;
  // Each font pixel becomes a scale×scale block.
  static void draw(Canvas& canvas, int x, int y, const std::string& text, int scale, Rgb colour);
  static int text_width(const std::string& text, int scale);

 private:
  static const uint8_t* glyph(char ch);
};

}  // namespace rvgst
