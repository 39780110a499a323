// Sum, max and mean pooling of patch codes over g×g grids of image regions.
#include "sparsecode/features/pooling.hpp"

#include <stdexcept>
#include <string>

namespace sparsecode::features {

void pool_codes(const Eigen::Ref<const Matrix<float>>& codes, Index rows, Index cols,
                const std::vector<int>& grids, PoolKind kind, Eigen::Ref<Vector<float>> out) {
  const Index c = codes.rows();
  if (codes.cols() != rows * cols) {
    throw std::invalid_argument("pool_codes: " + std::to_string(codes.cols()) + " codes for " +
                                std::to_string(rows) + "x" + std::to_string(cols) + " positions");
  }
  Index expected = 0;
  for (int g : grids) {
    if (g < 1 || g > rows || g > cols) {
      throw std::invalid_argument("pool_codes: grid " + std::to_string(g) + " does not fit " + std::to_string(rows) +
                                  "x" + std::to_string(cols) + " patch positions");
    }
    expected += c * g * g;
  }
  if (out.size() != expected) {
    throw std::invalid_argument("pool_codes: output has " + std::to_string(out.size()) + " values, expected " +
                                std::to_string(expected));
  }
  Index offset = 0;
  for (int g : grids) {
    for (Index gy = 0; gy < g; ++gy) {
      for (Index gx = 0; gx < g; ++gx) {
        auto region = out.segment(offset, c);
        const Index r0 = region_start(gy, rows, g), r1 = region_start(gy + 1, rows, g);
        const Index c0 = region_start(gx, cols, g), c1 = region_start(gx + 1, cols, g);
        region = codes.col(r0 * cols + c0);
        for (Index r = r0; r < r1; ++r) {
          for (Index q = (r == r0 ? c0 + 1 : c0); q < c1; ++q) {
            if (kind == PoolKind::max) {
              region = region.cwiseMax(codes.col(r * cols + q));
            } else {
              region += codes.col(r * cols + q);
            }
          }
        }
        if (kind == PoolKind::mean) region /= static_cast<float>((r1 - r0) * (c1 - c0));
        offset += c;
      }
    }
  }
}

}  // namespace sparsecode::features
