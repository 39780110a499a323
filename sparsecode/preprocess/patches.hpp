// Patch extraction from images: seeded random sampling or a stride grid, with per-patch normalisation.
#pragma once

#include <cstdint>
#include <vector>

#include "sparsecode/io/image_io.hpp"

namespace sparsecode::preprocess {

enum class PatchSampling { random, grid };

struct PatchOptions {
  int size = 12;                   ///< patch side p (patches are p×p, stored row-major: d = p²)
  PatchSampling sampling = PatchSampling::random;
  long long count = 10000;         ///< number of patches for random sampling
  int stride = 1;                  ///< grid step for grid sampling
  int border = 0;                  ///< pixels excluded at every image edge (b ≥ 0)
  std::uint64_t seed = 0;          ///< random sampling seed (results are a function of it alone)
  bool remove_mean = true;         ///< subtract each patch's own mean
  /// Contrast normalisation: divide each (mean-removed) patch by sqrt(variance + contrast_epsilon).
  bool normalize_contrast = false;
  double contrast_epsilon = 10.0 / 255.0 * 10.0 / 255.0;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Extracts patches as a d×N matrix (one row-major p×p patch per column).
/// Random: each patch picks an image uniformly, then a top-left corner uniformly among the
/// positions whose patch lies inside the image minus `border` pixels on each side.
/// Grid: every position on the stride grid inside the border, images in order, row-major.
/// Throws std::invalid_argument if no image can hold a patch within its border or the list is
/// empty; core::AllocationError (saying how many patches, how many bytes) if they do not fit in memory.
Matrix<double> extract_patches(const std::vector<io::Image>& images, const PatchOptions& options);

}  // namespace sparsecode::preprocess
