// Pooling of one image's patch codes over a grid (or a pyramid of grids) of image regions.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "sparsecode/core/types.hpp"
#include "sparsecode/features/options.hpp"

namespace sparsecode::features {

/// First row (or column) of region `cell` when `positions` patch positions are cut into `g`
/// regions: floor(cell · positions / g). Region `cell` is [start(cell), start(cell + 1)).
inline Index region_start(Index cell, Index positions, int g) { return cell * positions / g; }

/// Regions of a pyramid of grids: Σ g² over `grids` (each region pools into one code's values).
inline Index region_count(const std::vector<int>& grids) {
  Index regions = 0;
  for (int g : grids) regions += static_cast<Index>(g) * g;
  return regions;
}

/// Checks that every grid g of `grids` cuts rows×cols patch positions into g×g non-empty
/// regions (1 ≤ g ≤ rows and g ≤ cols); throws std::invalid_argument "<who>: grid g does not
/// fit RxC patch positions" otherwise.
void check_grids_fit(const std::vector<int>& grids, Index rows, Index cols, const std::string& who);

/// Pools the codes of one image. `codes` is C×(rows·cols): the code of the patch at position
/// (r, c) is column r·cols + c. For every grid g of `grids` in order, the positions are cut into
/// g×g regions (region_start along each side), and for every region, row-major, the C codes are
/// summed, maximized or averaged over its positions. `out` receives C·Σg² values: grid by grid,
/// region by region, C values each. Requires g ≤ rows and g ≤ cols (no empty region) and
/// out.size() == C·Σg²; throws std::invalid_argument otherwise.
void pool_codes(const Eigen::Ref<const Matrix<float>>& codes, Index rows, Index cols,
                const std::vector<int>& grids, PoolKind kind, Eigen::Ref<Vector<float>> out);

/// pool_codes of the sign-split soft-threshold codes [max(0, y − α); max(0, −y − α)] (2K×positions)
/// of the projections y = z − b (z K×positions, b a K-vector subtracted from every column),
/// without forming them: per region, the K pooled positive parts, then the K pooled negative
/// parts. out.size() must be 2K·Σg². Taking b here saves the transform a pass over z.
void pool_split_codes(const Eigen::Ref<const Matrix<float>>& z, const Eigen::Ref<const Vector<float>>& b, float alpha,
                      Index rows, Index cols, const std::vector<int>& grids, PoolKind kind,
                      Eigen::Ref<Vector<float>> out);

}  // namespace sparsecode::features
