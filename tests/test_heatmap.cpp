// Tests of the heat-map PNG (size from the cell count, shading by value, input checks) and of its bitmap text.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/heatmap.hpp"
#include "sparsecode/viz/internal/canvas.hpp"
#include "tests/temp_dir.hpp"

using sparsecode::Matrix;

TEST_CASE("heat-map: cells shaded from white (0) to dark grey (maximum), one cell per entry") {
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
  CHECK(corner(0, 2) < 0.3);  // the maximum is dark
  CHECK(corner(0, 0) > 0.95);  // zero is white
  CHECK(corner(0, 1) > corner(0, 2));
  CHECK(corner(1, 0) > corner(0, 1));
  // The value in the darkest cell is printed in white: some pixel of the cell is brighter than its shade.
  CHECK(p.block(top, left + 2 * 30, 30, 30).maxCoeff() > 0.95);

  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", Matrix<double>(0, 0)), std::invalid_argument);
  Matrix<double> negative = v;
  negative(0, 0) = -1;
  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", negative), std::invalid_argument);
  labels.row_names = {"only one"};
  CHECK_THROWS_AS(sparsecode::viz::write_heatmap_png(dir / "bad.png", v, labels), std::invalid_argument);
  CHECK(!std::filesystem::exists(dir / "bad.png"));
}

TEST_CASE("canvas text: every glyph is drawn whole, alone or at the end of a long string, at any scale") {
  using sparsecode::viz::internal::Canvas;
  using sparsecode::viz::internal::text_width;
  const std::string digits = "0123456789";
  for (const int scale : {1, 2}) {
    const int w = text_width(digits + digits, scale) + 4, h = 12 * scale;
    Canvas long_text{w, h, std::vector<unsigned char>(static_cast<std::size_t>(w * h), 255)};
    long_text.text(0, 0, digits + digits, 0, scale);
    const int prefix = text_width(digits, scale);
    for (std::size_t i = 0; i < digits.size(); ++i) {
      CAPTURE(scale);
      CAPTURE(i);
      const std::string glyph(1, digits[i]);
      Canvas alone{w, h, std::vector<unsigned char>(static_cast<std::size_t>(w * h), 255)};
      alone.text(0, 0, glyph, 0, scale);
      // The glyph in the second copy of the digits sits at prefix + (width of the digits before it).
      const int x0 = prefix + text_width(digits.substr(0, i), scale);
      const int gw = text_width(glyph, scale);
      int ink = 0;
      bool same = true;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < gw; ++x) {
          const auto a = alone.pixels[static_cast<std::size_t>(y * w + x)];
          ink += a == 0 ? 1 : 0;
          same = same && a == long_text.pixels[static_cast<std::size_t>(y * w + x0 + x)];
        }
      }
      CHECK(same);
      CHECK(ink >= 4 * scale * scale);
    }
    // '8' and '3' differ (the left strokes of a last glyph were once lost).
    Canvas eight{w, h, std::vector<unsigned char>(static_cast<std::size_t>(w * h), 255)};
    Canvas three{w, h, std::vector<unsigned char>(static_cast<std::size_t>(w * h), 255)};
    eight.text(0, 0, "8", 0, scale);
    three.text(0, 0, "3", 0, scale);
    CHECK(eight.pixels != three.pixels);
  }
}
