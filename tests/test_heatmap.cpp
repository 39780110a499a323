// Tests of the heat-map PNG: size from the cell count, shading by value, input checks, atomic output.
#include <doctest/doctest.h>

#include <filesystem>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/heatmap.hpp"
#include "tests/temp_dir.hpp"

using sparsecode::Matrix;

TEST_CASE("heat-map: cells shaded from white (0) to black (maximum), one cell per entry") {
  sparsecode::test::TempDir dir("heatmap");
  Matrix<double> v(2, 3);
  v << 0, 5, 10, 2, 0, 1;
  sparsecode::viz::HeatmapLabels labels;
  labels.title = "confusion";
  labels.row_axis = "true";
  labels.column_axis = "predicted";
  sparsecode::viz::write_heatmap_png(dir / "h.png", v, labels, 30);
  const auto image = sparsecode::io::load_image(dir / "h.png");
  const auto& p = image.pixels;
  // The grid ends 10 px before the right and bottom borders.
  const int right = static_cast<int>(p.cols()) - 10, bottom = static_cast<int>(p.rows()) - 10;
  const int left = right - 3 * 30, top = bottom - 2 * 30;
  const auto corner = [&](int r, int c) { return p(top + r * 30 + 3, left + c * 30 + 3); };  // away from the text
  CHECK(corner(0, 2) < 0.05);  // the maximum is black
  CHECK(corner(0, 0) > 0.95);  // zero is white
  CHECK(corner(0, 1) > corner(0, 2));
  CHECK(corner(1, 0) > corner(0, 1));

  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", Matrix<double>(0, 0)), std::invalid_argument);
  Matrix<double> negative = v;
  negative(0, 0) = -1;
  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", negative), std::invalid_argument);
  labels.row_names = {"only one"};
  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", v, labels), std::invalid_argument);
  CHECK(!std::filesystem::exists(dir / "bad.png"));
}
