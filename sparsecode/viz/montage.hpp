// Montage PNG of a dictionary: atoms as patches on a near-square grid, each scaled to its own max |value|.
#pragma once

#include <filesystem>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::viz {

struct MontageOptions {
  int patch_height = 0;  ///< 0: infer a square patch from d (d must be a perfect square)
  int patch_width = 0;   ///< 0: infer; if one is given, the other is d / given
  int scale = 1;         ///< integer up-scaling of every patch pixel (≥ 1)
  int border = 1;        ///< pixels of border around every patch (black)

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// An 8-bit grayscale image, row-major.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> pixels;
};

/// Renders atoms (d×k, one atom per column, each a patch stored row-major) on a grid of
/// ceil(sqrt(k)) columns and ceil(k / columns) rows, each atom scaled to its own max |value|
/// with zero at mid-grey 128 (value v -> round(127.5 + 127.5·v/max|v|)), as Olshausen & Field
/// display filters; an all-zero atom is uniform mid-grey. Atom j sits in grid row j / columns,
/// column j % columns; each patch pixel becomes a scale×scale block; `border` black (0) pixels
/// separate and surround the cells, so the image is columns·(w·scale + border) + border wide and
/// rows·(h·scale + border) + border high. Unused cells of the last row are black.
/// Throws std::invalid_argument if the patch shape does not match d (naming d), the matrix is
/// empty or not finite, an option is invalid, or the image would exceed 2^20 pixels a side.
template <class T>
GrayImage render_montage(const Matrix<T>& atoms, const MontageOptions& options = {});

/// render_montage + PNG, written atomically.
template <class T>
void write_montage_png(const std::filesystem::path& path, const Matrix<T>& atoms,
                       const MontageOptions& options = {});

}  // namespace sparsecode::viz
