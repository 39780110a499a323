// Bitmap-font text on the canvas: stb_easy_font's quads filled as rectangles.
#include "sparsecode/viz/internal/canvas.hpp"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sparsecode::viz::internal {

// stb_easy_font builds each glyph from axis-aligned quads (4 vertices of 16 bytes: x, y, z
// as floats, then RGBA); filling each quad's bounding box renders the text. The font is laid out
// at the origin and each unit scaled, so strokes stay `scale` pixels wide.
void Canvas::text(int x, int y, const std::string& s, unsigned char grey, int scale) {
  if (s.empty()) return;
  scale = std::max(scale, 1);
  std::string buffer = s;
  // Each quad takes 64 bytes; the densest glyphs need about 12 quads.
  std::vector<char> vertices(s.size() * 1024 + 1024);
  const int quads = stb_easy_font_print(0.0f, 0.0f, buffer.data(), nullptr,
                                        vertices.data(), static_cast<int>(vertices.size()));
  for (int q = 0; q < quads; ++q) {
    float xs[4];
    float ys[4];
    for (int v = 0; v < 4; ++v) {
      const char* vertex = vertices.data() + (static_cast<std::size_t>(q) * 4 + static_cast<std::size_t>(v)) * 16;
      std::memcpy(&xs[v], vertex, sizeof(float));
      std::memcpy(&ys[v], vertex + sizeof(float), sizeof(float));
    }
    const int x0 = x + scale * static_cast<int>(std::lround(*std::min_element(xs, xs + 4)));
    const int x1 = x + scale * static_cast<int>(std::lround(*std::max_element(xs, xs + 4)));
    const int y0 = y + scale * static_cast<int>(std::lround(*std::min_element(ys, ys + 4)));
    const int y1 = y + scale * static_cast<int>(std::lround(*std::max_element(ys, ys + 4)));
    for (int py = y0; py < y1; ++py)
      for (int px = x0; px < x1; ++px) set(px, py, grey);
  }
}

int text_width(const std::string& s, int scale) {
  std::string buffer = s;
  return std::max(scale, 1) * stb_easy_font_width(buffer.data());
}

}  // namespace sparsecode::viz::internal
