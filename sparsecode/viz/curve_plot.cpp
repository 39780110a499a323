// Learning-curve plot: axes with nice ticks, Bresenham lines, and text from stb_easy_font's quads.
#include "sparsecode/viz/curve_plot.hpp"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsecode/io/image_io.hpp"

namespace sparsecode::viz {

namespace {

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

  // stb_easy_font builds each glyph from axis-aligned quads (4 vertices of 16 bytes: x, y, z
  // as floats, then RGBA); filling each quad's bounding box renders the text.
  void text(int x, int y, const std::string& s, unsigned char grey) {
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
};

int text_width(const std::string& s) {
  std::string buffer = s;
  return stb_easy_font_width(buffer.data());
}

// Tick positions at multiples of 1, 2 or 5 × 10ⁿ, about `target` of them inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
    ticks.push_back(std::abs(t) < 1e-12 * step ? 0.0 : t);
  }
  return ticks;
}

std::string format_tick(double v) {
  char text[32];
  // Whole numbers (sample counts) in full up to 10⁹, anything else with 4 significant digits.
  if (v == std::round(v) && std::abs(v) < 1e9) std::snprintf(text, sizeof text, "%.0f", v);
  else std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

}  // namespace

void write_curve_png(const std::filesystem::path& path, const std::vector<CurveSeries>& series,
                     const PlotLabels& labels, int width, int height) {
  if (width < 200 || height < 150) {
    throw std::invalid_argument("curve plot size must be at least 200x150, got " + std::to_string(width) + "x" +
                                std::to_string(height));
  }
  Canvas c{width, height, std::vector<unsigned char>(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 255)};
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto& s : series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  const int left = 70, right = width - 20, top = 40, bottom = height - 45;
  c.text((width - text_width(labels.title)) / 2, 10, labels.title, 0);
  c.text(8, top - 14, labels.y_label, 0);
  c.text((left + right - text_width(labels.x_label)) / 2, height - 18, labels.x_label, 0);
  c.line(left, top, left, bottom, 0, 1);
  c.line(left, bottom, right, bottom, 0, 1);
  if (!std::isfinite(xmin)) {
    io::write_png_gray8(path, width, height, c.pixels);
    return;
  }
  if (xmax == xmin) xmax = xmin + 1;
  if (ymax == ymin) ymax = ymin + 1;
  const auto px = [&](double x) { return left + static_cast<int>(std::lround((x - xmin) / (xmax - xmin) * (right - left))); };
  const auto py = [&](double y) { return bottom - static_cast<int>(std::lround((y - ymin) / (ymax - ymin) * (bottom - top))); };
  for (double t : nice_ticks(xmin, xmax, 6)) {
    const int x = px(t);
    c.line(x, bottom, x, bottom + 4, 0, 1);
    const std::string s = format_tick(t);
    c.text(x - text_width(s) / 2, bottom + 8, s, 0);
  }
  for (double t : nice_ticks(ymin, ymax, 5)) {
    const int y = py(t);
    c.line(left - 4, y, left, y, 0, 1);
    const std::string s = format_tick(t);
    c.text(left - 8 - text_width(s), y - 3, s, 0);
  }
  int legend_y = top + 6;
  for (const auto& s : series) {
    bool have = false;
    int lx = 0, ly = 0;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      const int x = px(s.x[i]), y = py(s.y[i]);
      if (have) c.line(lx, ly, x, y, s.grey, s.thickness);
      else c.dot(x, y, s.grey, s.thickness);
      lx = x;
      ly = y;
      have = true;
    }
    if (s.label.empty()) continue;
    const int text_left = right - 10 - text_width(s.label);
    c.line(text_left - 34, legend_y + 3, text_left - 8, legend_y + 3, s.grey, s.thickness);
    c.text(text_left, legend_y, s.label, 0);
    legend_y += 14;
  }
  io::write_png_gray8(path, width, height, c.pixels);
}

}  // namespace sparsecode::viz
