// Learning-curve plot: scales the series to a frame and draws them with Bresenham lines.
#include "sparse/curve_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "sparse/image_io.hpp"

namespace sparsecode::sparse {

namespace {

struct Canvas {
  int width;
  int height;
  std::vector<unsigned char> pixels;

  void dot(int x, int y, unsigned char grey, int thickness) {
    for (int dy = 0; dy < thickness; ++dy)
      for (int dx = 0; dx < thickness; ++dx) {
        const int px = x + dx - thickness / 2;
        const int py = y + dy - thickness / 2;
        if (px >= 0 && py >= 0 && px < width && py < height) {
          pixels[static_cast<std::size_t>(py) * static_cast<std::size_t>(width) + static_cast<std::size_t>(px)] = grey;
        }
      }
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
};

}  // namespace

void write_curve_png(const std::filesystem::path& path, const std::vector<CurveSeries>& series, int width,
                     int height) {
  Canvas c{width, height, std::vector<unsigned char>(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 255)};
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  const int left = 40, right = width - 20, top = 20, bottom = height - 40;
  c.line(left, top, left, bottom, 0, 1);
  c.line(left, bottom, right, bottom, 0, 1);
  if (std::isfinite(xmin)) {
    if (xmax == xmin) xmax = xmin + 1;
    if (ymax == ymin) ymax = ymin + 1;
    const auto px = [&](double x) { return left + static_cast<int>(std::lround((x - xmin) / (xmax - xmin) * (right - left))); };
    const auto py = [&](double y) { return bottom - static_cast<int>(std::lround((y - ymin) / (ymax - ymin) * (bottom - top))); };
    for (const auto& s : series) {
      bool have = false;
      int lx = 0, ly = 0;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        const int x = px(s.x[i]), y = py(s.y[i]);
        if (have) c.line(lx, ly, x, y, s.grey, s.thickness);
        else c.dot(x, y, s.grey, s.thickness);
        lx = x;
        ly = y;
        have = true;
      }
    }
  }
  write_png_gray8(path, width, height, c.pixels);
}

void write_learning_curve_png(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows) {
  CurveSeries batch{{}, {}, 160, 1};
  CurveSeries held{{}, {}, 0, 3};
  for (const auto& p : rows) {
    batch.x.push_back(static_cast<double>(p.samples_seen));
    batch.y.push_back(p.batch_objective);
    if (!std::isnan(p.heldout_objective)) {
      held.x.push_back(static_cast<double>(p.samples_seen));
      held.y.push_back(p.heldout_objective);
    }
  }
  write_curve_png(path, {batch, held});
}

}  // namespace sparsecode::sparse
