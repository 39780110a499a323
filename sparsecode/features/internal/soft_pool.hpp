// The soft-threshold encoder fused with pooling: projections, split threshold and region sums in registers.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "sparsecode/core/types.hpp"
#include "sparsecode/features/options.hpp"

namespace sparsecode::features::internal {

/// pool_split_codes(Pᵀx_q, b, α, ...) of one image without forming the K×positions projections:
/// for the patches x_q (d values each, contrast-normalized) the projections y = Pᵀx_q − b are
/// computed for a block of up to 64 atoms and a run of up to 6 neighbouring positions at a time,
/// held in registers, split into [max(0, y − α); max(0, −y − α)] and summed (or maximized) over
/// the run before one update of each pooling region the run lies in. The projections never
/// reach memory: with d = 36 every projection costs 36 multiply-adds, so storing and reloading
/// it, as a GEMM followed by a pooling pass must, costs the transform as much as computing it.
/// Runs never cross a region boundary of any grid of the pyramid. Sums are taken run by run,
/// so they can differ from pool_split_codes's position-by-position sums in the last bits.
///
/// Without AVX-512 at compile time this is that GEMM (Eigen, single-threaded) followed by
/// pool_split_codes.
class SoftPool {
 public:
  /// `projection` (d×K) = Wᵀ D, `offset` (K) = b, α ≥ 0; the pooling geometry as in pool_codes.
  SoftPool(const Matrix<float>& projection, const Vector<float>& offset, float alpha, Index rows, Index cols,
           const std::vector<int>& grids, PoolKind kind);

  /// Pools the patches of one image into `out` (2K·Σg², laid out as pool_split_codes lays it out).
  /// `patches` is (rows·cols)×d, column-major: value i of the patch at position q (row-major) is
  /// patches[i·rows·cols + q], so that each value of every patch of a row of positions is one
  /// contiguous run of the image. `scratch` is reused between calls.
  void pool(const float* patches, Eigen::Ref<Vector<float>> out, std::vector<float>& scratch) const;

 private:
  struct Run {
    Index first;   // first position (row r's run starts at r·cols + first)
    int length;    // 1..kMaxRun positions
    Index column;  // index into run_cells_: the region column of each grid
  };
  void pool_fallback(const float* patches, Eigen::Ref<Vector<float>> out, std::vector<float>& scratch) const;

  Matrix<float> projection_;    // d×K
  Vector<float> offset_;        // K
  float alpha_;
  Index rows_, cols_, d_, k_, k_padded_;
  std::vector<int> grids_;
  PoolKind kind_;
  std::vector<float> weights_;  // k_padded_ × d: weights_[i·k_padded_ + j] = projection(i, j), 0 for j ≥ K
  std::vector<float> bias_;     // k_padded_, zero-padded offset
  std::vector<Run> runs_;       // the runs of one row of positions
  std::vector<Index> row_cells_;     // rows_ × grids: the first cell index of row r's regions in grid g
  std::vector<Index> column_cells_;  // runs × grids: added to row_cells_ for a run's region
  std::vector<Index> region_sizes_;  // per cell: positions in its region (mean pooling)
  Index cells_ = 0;
};

}  // namespace sparsecode::features::internal
