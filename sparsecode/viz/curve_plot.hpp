// Line plots with labelled axes (title, axis names, tick values, legend) rendered into an 8-bit grayscale PNG.
#pragma once

#include <filesystem>
#include <string>
#include <vector>


namespace sparsecode::viz {

/// One curve: points (x, y) in data units, the grey level to draw it with (0 = black), its
/// line thickness in pixels and its legend entry (no entry when empty). Non-finite points are
/// skipped.
struct CurveSeries {
  std::vector<double> x;
  std::vector<double> y;
  unsigned char grey = 0;
  int thickness = 1;
  std::string label;
};

/// The text around the axes. Empty strings are not drawn.
struct PlotLabels {
  std::string title;
  std::string x_label;
  std::string y_label;  ///< drawn horizontally above the y axis
};

/// Draws the series on common linear axes into a width × height PNG (width ≥ 200, height ≥ 150),
/// written atomically: white background, black frame, "nice" tick values (1, 2 or 5 × 10ⁿ) on
/// both axes, the labels, and a legend of the labelled series. The ranges span all finite points.
/// Text comes from stb_easy_font's bitmap font. Throws std::invalid_argument for a size out of
/// range, std::runtime_error naming the file when it cannot be written.
void write_curve_png(const std::filesystem::path& path, const std::vector<CurveSeries>& series,
                     const PlotLabels& labels = {}, int width = 720, int height = 450);

}  // namespace sparsecode::viz
