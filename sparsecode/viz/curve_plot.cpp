// Learning-curve plot: axes with nice ticks, lines and text drawn on a grey-level canvas.
#include "sparsecode/viz/curve_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/internal/canvas.hpp"

namespace sparsecode::viz {

namespace {

using internal::Canvas;
using internal::text_width;

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
