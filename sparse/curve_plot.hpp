// A minimal learning-curve plot (lines on axes, no text) rendered into an 8-bit grayscale PNG.
#pragma once

#include <filesystem>
#include <vector>

#include "sparse/learner_common.hpp"

namespace sparsecode::sparse {

/// One curve: points (x, y) in data units and the grey level to draw it with (0 = black).
struct CurveSeries {
  std::vector<double> x;
  std::vector<double> y;
  unsigned char grey = 0;
  int thickness = 1;
};

/// Draws the series on common linear axes (white background, black frame; the ranges span all
/// finite points) into a width × height PNG, written atomically. Axis labels and values are
/// not drawn: the CSV log carries the numbers.
void write_curve_png(const std::filesystem::path& path, const std::vector<CurveSeries>& series,
                     int width = 640, int height = 400);

/// The learning curve of a run: batch objective (grey, thin) and held-out objective (black,
/// thick) against samples seen.
void write_learning_curve_png(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows);

}  // namespace sparsecode::sparse
