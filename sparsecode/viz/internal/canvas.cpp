// Bitmap-font text on the canvas: stb_easy_font's quads filled as rectangles.
#include "sparsecode/viz/internal/canvas.hpp"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sparsecode::viz::internal {

// stb_easy_font builds each glyph from axis-aligned quads (4 vertices of 16 bytes: x, y, z
// as floats, then RGBA); filling each quad's bounding box renders the text.
void Canvas::text(int x, int y, const std::string& s, unsigned char grey) {
  if (s.empty()) return;
  std::string buffer = s;
  std::vector<char> vertices(s.size() * 400 + 64);
  const int quads = stb_easy_font_print(static_cast<float>(x), static_cast<float>(y), buffer.data(), nullptr,
                                        vertices.data(), static_cast<int>(vertices.size()));
  for (int q = 0; q < quads; ++q) {
    float xs[4];
    float ys[4];
    for (int v = 0; v < 4; ++v) {
      const char* vertex = vertices.data() + (static_cast<std::size_t>(q) * 4 + static_cast<std::size_t>(v)) * 16;
      std::memcpy(&xs[v], vertex, sizeof(float));
      std::memcpy(&ys[v], vertex + sizeof(float), sizeof(float));
    }
    const int x0 = static_cast<int>(std::lround(*std::min_element(xs, xs + 4)));
    const int x1 = static_cast<int>(std::lround(*std::max_element(xs, xs + 4)));
    const int y0 = static_cast<int>(std::lround(*std::min_element(ys, ys + 4)));
    const int y1 = static_cast<int>(std::lround(*std::max_element(ys, ys + 4)));
    for (int py = y0; py < y1; ++py)
      for (int px = x0; px < x1; ++px) set(px, py, grey);
  }
}

int text_width(const std::string& s) {
  std::string buffer = s;
  return stb_easy_font_width(buffer.data());
}

}  // namespace sparsecode::viz::internal
