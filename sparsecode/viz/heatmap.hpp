// Labelled heat-maps (e.g. a confusion matrix) rendered into an 8-bit grayscale PNG.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::viz {

/// Text around a heat-map. Empty strings are not drawn; empty name lists mean 0, 1, 2, ...
struct HeatmapLabels {
  std::string title;
  std::string row_axis;     ///< e.g. "true class", drawn above the row names
  std::string column_axis;  ///< e.g. "predicted class", drawn above the column names
  std::vector<std::string> row_names;
  std::vector<std::string> column_names;
};

/// Draws every entry of `values` (rows × cols, finite, ≥ 0) as a square cell of `cell` pixels
/// (16 ≤ cell ≤ 200) shaded from white (0) to dark grey (the maximum), with its value printed in
/// it (%.4g, at twice the font size when it fits), framed, with row and column names; written atomically. Throws
/// std::invalid_argument for an empty matrix, a negative or non-finite value, name lists of
/// the wrong length or a cell size out of range; std::runtime_error naming the file when it
/// cannot be written.
void write_heatmap_png(const std::filesystem::path& path, const Matrix<double>& values,
                       const HeatmapLabels& labels = {}, int cell = 60);

}  // namespace sparsecode::viz
