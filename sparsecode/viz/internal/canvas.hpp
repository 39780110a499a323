// A grey-level raster with pixels, Bresenham lines and bitmap-font text, for the PNG plots of viz.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

namespace sparsecode::viz::internal {

/// width × height grey levels, row-major; drawing outside the raster is clipped.
struct Canvas {
  int width;
  int height;
  std::vector<unsigned char> pixels;

  void set(int x, int y, unsigned char grey) {
    if (x >= 0 && y >= 0 && x < width && y < height) {
      pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] = grey;
    }
  }

  void dot(int x, int y, unsigned char grey, int thickness) {
    for (int dy = 0; dy < thickness; ++dy)
      for (int dx = 0; dx < thickness; ++dx) set(x + dx - thickness / 2, y + dy - thickness / 2, grey);
  }

  void line(int x0, int y0, int x1, int y1, unsigned char grey, int thickness) {
    const int dx = std::abs(x1 - x0);
    const int dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1;
    const int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
      dot(x0, y0, grey, thickness);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /// Draws `s` with its top-left corner at (x, y) in stb_easy_font's bitmap font, each font pixel
  /// a scale × scale square (about 6·scale px per character, 7·scale px high; scale ≥ 1).
  void text(int x, int y, const std::string& s, unsigned char grey, int scale = 1);
};

/// Width in pixels of `s` drawn by Canvas::text at `scale`.
int text_width(const std::string& s, int scale = 1);

}  // namespace sparsecode::viz::internal
