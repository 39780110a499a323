// Tests for the labelled curve plot: series placement, monotone mapping, text only where labels ask for it.
#include <doctest/doctest.h>

#include <stb_image.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/viz/curve_plot.hpp"
#include "temp_dir.hpp"

using sparsecode::viz::CurveSeries;
using sparsecode::viz::PlotLabels;
using sparsecode::viz::write_curve_png;

namespace {

struct Gray {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> pixels;
  int at(int x, int y) const { return pixels[static_cast<std::size_t>(y * width + x)]; }
};

Gray read_png(const std::filesystem::path& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(path.string().c_str(), &w, &h, &channels, 1);
  REQUIRE(data != nullptr);
  Gray g{w, h, std::vector<unsigned char>(data, data + static_cast<std::size_t>(w) * static_cast<std::size_t>(h))};
  stbi_image_free(data);
  return g;
}

// Number of pixels differing between two images of the same size inside rows [y0, y1).
int differing(const Gray& a, const Gray& b, int y0, int y1) {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = 0; x < a.width; ++x) count += a.at(x, y) != b.at(x, y);
  return count;
}

}  // namespace

TEST_CASE("curve plot: a rising series is drawn left-to-right rising, inside the frame") {
  sparsecode::test::TempDir dir("curve_rising");
  CurveSeries s{{0, 1, 2, 3, 4}, {1, 2, 3, 4, 5}, 100, 1, ""};
  write_curve_png(dir / "p.png", {s}, {}, 400, 300);
  const Gray g = read_png(dir / "p.png");
  CHECK(g.width == 400);
  CHECK(g.height == 300);
  int xmin = g.width, xmax = -1;
  double y_at_left = 0, y_at_right = 0;
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x) {
      if (g.at(x, y) != 100) continue;
      if (x < xmin) {
        xmin = x;
        y_at_left = y;
      }
      if (x > xmax) {
        xmax = x;
        y_at_right = y;
      }
    }
  REQUIRE(xmax > xmin);
  CHECK(xmax - xmin > g.width / 2);  // the series spans the frame's width
  CHECK(y_at_right < y_at_left);      // image rows grow downwards: rising data goes up
}

TEST_CASE("curve plot: title, axis labels and legend add text only where they belong") {
  sparsecode::test::TempDir dir("curve_labels");
  CurveSeries plain{{0, 10}, {3, 1}, 0, 2, ""};
  CurveSeries named = plain;
  named.label = "held-out";
  write_curve_png(dir / "bare.png", {plain}, {}, 500, 300);
  write_curve_png(dir / "title.png", {plain}, {"Learning curve", "", ""}, 500, 300);
  write_curve_png(dir / "xlabel.png", {plain}, {"", "samples seen", ""}, 500, 300);
  write_curve_png(dir / "legend.png", {named}, {}, 500, 300);
  const Gray bare = read_png(dir / "bare.png");
  const Gray title = read_png(dir / "title.png");
  const Gray xlabel = read_png(dir / "xlabel.png");
  const Gray legend = read_png(dir / "legend.png");
  CHECK(differing(bare, title, 0, 25) > 20);
  CHECK(differing(bare, title, 25, 300) == 0);
  CHECK(differing(bare, xlabel, 285, 300) > 20);
  CHECK(differing(bare, xlabel, 0, 280) == 0);
  CHECK(differing(bare, legend, 40, 80) > 20);
}

TEST_CASE("curve plot: tick values are drawn below and left of the frame") {
  sparsecode::test::TempDir dir("curve_ticks");
  write_curve_png(dir / "p.png", {CurveSeries{{0, 100}, {0, 1}, 90, 1, ""}}, {}, 400, 300);
  const Gray g = read_png(dir / "p.png");
  int dark_below = 0;
  for (int y = 262; y < 280; ++y)
    for (int x = 70; x < 400; ++x) dark_below += g.at(x, y) == 0;
  int dark_left = 0;
  for (int y = 40; y < 255; ++y)
    for (int x = 0; x < 60; ++x) dark_left += g.at(x, y) == 0;
  CHECK(dark_below > 30);
  CHECK(dark_left > 30);
}

TEST_CASE("curve plot: non-finite points are skipped, empty input gives axes only, bad sizes throw") {
  sparsecode::test::TempDir dir("curve_edge");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_NOTHROW(write_curve_png(dir / "nan.png", {CurveSeries{{0, nan, 2}, {1, 5, nan}, 0, 1, ""}}));
  CHECK_NOTHROW(write_curve_png(dir / "empty.png", {}));
  CHECK(std::filesystem::exists(dir / "empty.png"));
  CHECK_THROWS_AS(write_curve_png(dir / "small.png", {}, {}, 100, 100), std::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir / "small.png"));
}
