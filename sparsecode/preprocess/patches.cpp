// Patch extraction: seeded random or stride-grid positions, then per-patch mean removal and contrast normalisation.
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/core/allocation.hpp"
#include "sparsecode/core/random.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace sparsecode::preprocess {

namespace {

/// Where one patch comes from: image index and top-left corner.
struct PatchPosition {
  std::size_t image;
  Index row;
  Index col;
};

/// Number of valid top-left positions along one axis of length `length` (0 if none).
Index positions_along(Index length, const PatchOptions& o, Index step) {
  const Index room = length - 2 * static_cast<Index>(o.border) - o.size;
  return room < 0 ? 0 : room / step + 1;
}

std::invalid_argument no_room(const PatchOptions& o) {
  return std::invalid_argument("extract_patches: no image can hold a " + std::to_string(o.size) +
                               "x" + std::to_string(o.size) + " patch inside a border of " +
                               std::to_string(o.border) + " pixels");
}

std::vector<PatchPosition> random_positions(const std::vector<io::Image>& images,
                                            const PatchOptions& o) {
  // Only images that can hold a patch inside their border take part in the uniform choice.
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (positions_along(images[i].pixels.rows(), o, 1) > 0 &&
        positions_along(images[i].pixels.cols(), o, 1) > 0) {
      eligible.push_back(i);
    }
  }
  if (eligible.empty()) {
    throw no_room(o);
  }
  std::mt19937_64 rng(o.seed);
  std::vector<PatchPosition> positions;
  core::reserve_or_throw(positions, static_cast<std::size_t>(o.count),
                         std::to_string(o.count) + " patch positions");
  for (long long n = 0; n < o.count; ++n) {
    const std::size_t image = eligible[core::uniform_below(rng, eligible.size())];
    const Matrix<double>& px = images[image].pixels;
    const auto rows = static_cast<std::uint64_t>(positions_along(px.rows(), o, 1));
    const auto cols = static_cast<std::uint64_t>(positions_along(px.cols(), o, 1));
    const auto row = o.border + static_cast<Index>(core::uniform_below(rng, rows));
    const auto col = o.border + static_cast<Index>(core::uniform_below(rng, cols));
    positions.push_back({image, row, col});
  }
  return positions;
}

std::vector<PatchPosition> grid_positions(const std::vector<io::Image>& images, const PatchOptions& o) {
  std::vector<PatchPosition> positions;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Index rows = positions_along(images[i].pixels.rows(), o, o.stride);
    const Index cols = positions_along(images[i].pixels.cols(), o, o.stride);
    for (Index r = 0; r < rows; ++r) {
      for (Index c = 0; c < cols; ++c) {
        positions.push_back({i, o.border + r * o.stride, o.border + c * o.stride});
      }
    }
  }
  if (positions.empty()) {
    throw no_room(o);
  }
  return positions;
}

}  // namespace

void PatchOptions::validate() const {
  if (size < 1) {
    throw std::invalid_argument("PatchOptions.size must be >= 1, got " + std::to_string(size));
  }
  if (sampling == PatchSampling::random && count < 1) {
    throw std::invalid_argument("PatchOptions.count must be >= 1, got " + std::to_string(count));
  }
  if (stride < 1) {
    throw std::invalid_argument("PatchOptions.stride must be >= 1, got " + std::to_string(stride));
  }
  if (border < 0) {
    throw std::invalid_argument("PatchOptions.border must be >= 0, got " + std::to_string(border));
  }
  if (normalize_contrast && !(std::isfinite(contrast_epsilon) && contrast_epsilon > 0.0)) {
    throw std::invalid_argument("PatchOptions.contrast_epsilon must be finite and > 0, got " +
                                std::to_string(contrast_epsilon));
  }
}

Matrix<double> extract_patches(const std::vector<io::Image>& images, const PatchOptions& options) {
  options.validate();
  if (images.empty()) {
    throw std::invalid_argument("extract_patches: the image list is empty");
  }
  const std::vector<PatchPosition> positions = options.sampling == PatchSampling::random
                                                   ? random_positions(images, options)
                                                   : grid_positions(images, options);
  const Index p = options.size;
  const auto n = static_cast<Index>(positions.size());
  Matrix<double> patches =
      core::allocate_matrix<double>(p * p, n, std::to_string(n) + " patches of " + std::to_string(p) + "x" + std::to_string(p));
  // Each column depends only on its own position, so any thread count gives identical results.
#pragma omp parallel for schedule(static)
  for (Index j = 0; j < n; ++j) {
    const PatchPosition& at = positions[static_cast<std::size_t>(j)];
    const Matrix<double>& px = images[at.image].pixels;
    auto column = patches.col(j);
    for (Index r = 0; r < p; ++r) {
      for (Index c = 0; c < p; ++c) {
        column(r * p + c) = px(at.row + r, at.col + c);  // row-major p×p patch
      }
    }
    const double mean = column.mean();
    if (options.remove_mean) {
      column.array() -= mean;
    }
    if (options.normalize_contrast) {
      // Variance about the patch mean (whether or not the mean was removed from the output).
      const double variance = (column.array() - column.mean()).square().mean();
      column /= std::sqrt(variance + options.contrast_epsilon);
    }
  }
  return patches;
}

}  // namespace sparsecode::preprocess
