// Sum, max and mean pooling of patch codes over g×g grids of image regions.
#include "sparsecode/features/pooling.hpp"

#include <stdexcept>
#include <string>

namespace sparsecode::features {

namespace {

/// Checks the sizes and calls emit(position, region) for every position of every region, grid
/// by grid and region by region (row-major), where `region` is the output segment of `c` values.
/// emit must assign on the region's first position and accumulate (sum or max) on the others;
/// mean pooling divides afterwards.
template <class Emit>
void for_each_region(Index c, Index positions, Index rows, Index cols, const std::vector<int>& grids, PoolKind kind,
                     Eigen::Ref<Vector<float>> out, Emit emit) {
  if (positions != rows * cols) {
    throw std::invalid_argument("pool_codes: " + std::to_string(positions) + " codes for " + std::to_string(rows) +
                                "x" + std::to_string(cols) + " positions");
  }
  check_grids_fit(grids, rows, cols, "pool_codes");
  const Index expected = c * region_count(grids);
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
        for (Index r = r0; r < r1; ++r) {
          for (Index q = c0; q < c1; ++q) emit(r * cols + q, r == r0 && q == c0, region);
        }
        if (kind == PoolKind::mean) region /= static_cast<float>((r1 - r0) * (c1 - c0));
        offset += c;
      }
    }
  }
}

/// region = values (first position), else region = max(region, values) or region += values.
template <class Region, class Values>
void accumulate(Region&& region, const Values& values, bool first, PoolKind kind) {
  if (first) {
    region = values;
  } else if (kind == PoolKind::max) {
    region = region.cwiseMax(values);
  } else {
    region += values;
  }
}

}  // namespace

void check_grids_fit(const std::vector<int>& grids, Index rows, Index cols, const std::string& who) {
  for (int g : grids) {
    if (g < 1 || g > rows || g > cols) {
      throw std::invalid_argument(who + ": grid " + std::to_string(g) + " does not fit " + std::to_string(rows) + "x" +
                                  std::to_string(cols) + " patch positions");
    }
  }
}

void pool_codes(const Eigen::Ref<const Matrix<float>>& codes, Index rows, Index cols,
                const std::vector<int>& grids, PoolKind kind, Eigen::Ref<Vector<float>> out) {
  for_each_region(codes.rows(), codes.cols(), rows, cols, grids, kind, out,
                  [&](Index position, bool first, auto& region) { accumulate(region, codes.col(position), first, kind); });
}

void pool_split_codes(const Eigen::Ref<const Matrix<float>>& z, const Eigen::Ref<const Vector<float>>& b, float alpha,
                      Index rows, Index cols, const std::vector<int>& grids, PoolKind kind,
                      Eigen::Ref<Vector<float>> out) {
  const Index k = z.rows();
  if (b.size() != k) {
    throw std::invalid_argument("pool_split_codes: " + std::to_string(b.size()) + " offsets for " +
                                std::to_string(k) + " projections");
  }
  for_each_region(2 * k, z.cols(), rows, cols, grids, kind, out, [&](Index position, bool first, auto& region) {
    const auto column = z.col(position).array() - b.array();
    accumulate(region.head(k), ((column - alpha).cwiseMax(0.0f)).matrix(), first, kind);
    accumulate(region.tail(k), ((-column - alpha).cwiseMax(0.0f)).matrix(), first, kind);
  });
}

}  // namespace sparsecode::features
