// The soft-threshold encoder fused with pooling: projections, split threshold and region sums in registers.
#include "sparsecode/features/internal/soft_pool.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "sparsecode/features/pooling.hpp"

namespace sparsecode::features::internal {

namespace {

/// Positions per run: 6 runs × up to 4 vectors of 16 atoms keep 24 accumulators in 32 registers.
constexpr int kMaxRun = 6;
constexpr int kMaxVectors = 4;
constexpr Index kLanes = 16;

#if defined(__AVX512F__)
/// max(a, b); _mm512_max_ps's unmasked form trips GCC 12's -Wuninitialized (its _mm512_undefined_ps).
inline __m512 max_ps(__m512 a, __m512 b) { return _mm512_maskz_max_ps(static_cast<__mmask16>(0xFFFF), a, b); }

/// Where one tile's pooled values go: for every grid, the positive parts at pos[g] and the
/// negative parts at pos[g] + k_padded.
struct TileTarget {
  float* const* cells;  // per grid: this block's first value in the run's region
  int grids;
  Index k_padded;
  bool max_pool;
};

/// y = Pᵀx − b for NV·16 atoms and NP neighbouring positions (value i of position j at
/// x[i·positions + j]), split, pooled over the NP positions and added (or maximized) into every
/// region of the target.
template <int NV, int NP>
void tile(const float* w, Index k_padded, Index d, const float* x, Index positions, const float* bias, float alpha,
          const TileTarget& target) {
  // The accumulators start at −b − α, so they end at y − α: the positive part is max(acc, 0)
  // and the negative part max(−y − α, 0) = max(−2α − acc, 0).
  const __m512 a = _mm512_set1_ps(alpha);
  __m512 acc[NV][NP];
  for (int v = 0; v < NV; ++v) {
    const __m512 start = _mm512_sub_ps(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_loadu_ps(bias + kLanes * v)), a);
    for (int j = 0; j < NP; ++j) acc[v][j] = start;
  }
  for (Index i = 0; i < d; ++i) {
    __m512 wv[NV];
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_ps(w + i * k_padded + kLanes * v);
    for (int j = 0; j < NP; ++j) {
      const __m512 xb = _mm512_set1_ps(x[i * positions + j]);
      for (int v = 0; v < NV; ++v) acc[v][j] = _mm512_fmadd_ps(wv[v], xb, acc[v][j]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
  const __m512 minus_two_alpha = _mm512_set1_ps(-2.0f * alpha);
  for (int v = 0; v < NV; ++v) {
    __m512 sp = zero, sn = zero;
    for (int j = 0; j < NP; ++j) {
      const __m512 p = max_ps(acc[v][j], zero);
      const __m512 n = max_ps(_mm512_sub_ps(minus_two_alpha, acc[v][j]), zero);
      sp = target.max_pool ? max_ps(sp, p) : _mm512_add_ps(sp, p);
      sn = target.max_pool ? max_ps(sn, n) : _mm512_add_ps(sn, n);
    }
    for (int g = 0; g < target.grids; ++g) {
      float* pos = target.cells[g] + kLanes * v;
      float* neg = pos + target.k_padded;
      if (target.max_pool) {
        _mm512_storeu_ps(pos, max_ps(_mm512_loadu_ps(pos), sp));
        _mm512_storeu_ps(neg, max_ps(_mm512_loadu_ps(neg), sn));
      } else {
        _mm512_storeu_ps(pos, _mm512_add_ps(_mm512_loadu_ps(pos), sp));
        _mm512_storeu_ps(neg, _mm512_add_ps(_mm512_loadu_ps(neg), sn));
      }
    }
  }
}

using TileFunction = void (*)(const float*, Index, Index, const float*, Index, const float*, float,
                              const TileTarget&);

template <int NV, int... NP>
constexpr std::array<TileFunction, sizeof...(NP)> tiles_of(std::integer_sequence<int, NP...>) {
  return {&tile<NV, NP + 1>...};
}

/// kTiles[NV − 1][NP − 1].
constexpr std::array<std::array<TileFunction, kMaxRun>, kMaxVectors> kTiles = {
    tiles_of<1>(std::make_integer_sequence<int, kMaxRun>{}), tiles_of<2>(std::make_integer_sequence<int, kMaxRun>{}),
    tiles_of<3>(std::make_integer_sequence<int, kMaxRun>{}), tiles_of<4>(std::make_integer_sequence<int, kMaxRun>{})};
#endif

}  // namespace

SoftPool::SoftPool(const Matrix<float>& projection, const Vector<float>& offset, float alpha, Index rows, Index cols,
                   const std::vector<int>& grids, PoolKind kind)
    : projection_(projection),
      offset_(offset),
      alpha_(alpha),
      rows_(rows),
      cols_(cols),
      d_(projection.rows()),
      k_(projection.cols()),
      k_padded_((projection.cols() + kLanes - 1) / kLanes * kLanes),
      grids_(grids),
      kind_(kind) {
  if (offset.size() != k_) {
    throw std::invalid_argument("SoftPool: " + std::to_string(offset.size()) + " offsets for " + std::to_string(k_) +
                                " projections");
  }
  check_grids_fit(grids_, rows, cols, "SoftPool");
  weights_.assign(static_cast<std::size_t>(k_padded_ * d_), 0.0f);
  for (Index i = 0; i < d_; ++i) {
    for (Index j = 0; j < k_; ++j) weights_[static_cast<std::size_t>(i * k_padded_ + j)] = projection(i, j);
  }
  bias_.assign(static_cast<std::size_t>(k_padded_), 0.0f);
  for (Index j = 0; j < k_; ++j) bias_[static_cast<std::size_t>(j)] = offset(j);

  // Runs: the column boundaries of every grid's regions, merged, and the pieces between them cut
  // into at most kMaxRun positions.
  std::vector<Index> bounds;
  for (int g : grids_) {
    for (Index c = 0; c <= g; ++c) bounds.push_back(region_start(c, cols, g));
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  const auto G = static_cast<Index>(grids_.size());
  for (std::size_t b = 0; b + 1 < bounds.size(); ++b) {
    for (Index first = bounds[b]; first < bounds[b + 1]; first += kMaxRun) {
      const auto length = static_cast<int>(std::min<Index>(kMaxRun, bounds[b + 1] - first));
      runs_.push_back(Run{first, length, static_cast<Index>(column_cells_.size())});
      for (int g : grids_) {
        Index gx = 0;
        while (region_start(gx + 1, cols, g) <= first) ++gx;
        column_cells_.push_back(gx);
      }
    }
  }
  row_cells_.resize(static_cast<std::size_t>(rows * G));
  Index base = 0;
  for (Index gi = 0; gi < G; ++gi) {
    const int g = grids_[static_cast<std::size_t>(gi)];
    for (Index r = 0; r < rows; ++r) {
      Index gy = 0;
      while (region_start(gy + 1, rows, g) <= r) ++gy;
      row_cells_[static_cast<std::size_t>(r * G + gi)] = base + gy * g;
    }
    for (Index gy = 0; gy < g; ++gy) {
      for (Index gx = 0; gx < g; ++gx) {
        region_sizes_.push_back((region_start(gy + 1, rows, g) - region_start(gy, rows, g)) *
                                (region_start(gx + 1, cols, g) - region_start(gx, cols, g)));
      }
    }
    base += static_cast<Index>(g) * g;
  }
  cells_ = base;
}

void SoftPool::pool_fallback(const float* patches, Eigen::Ref<Vector<float>> out, std::vector<float>& scratch) const {
  const Index positions = rows_ * cols_;
  scratch.resize(static_cast<std::size_t>(k_ * positions));
  Eigen::Map<Matrix<float>> z(scratch.data(), k_, positions);
  z.noalias() = projection_.transpose() * Eigen::Map<const Matrix<float>>(patches, positions, d_).transpose();
  pool_split_codes(z, offset_, alpha_, rows_, cols_, grids_, kind_, out);
}

void SoftPool::pool(const float* patches, Eigen::Ref<Vector<float>> out, std::vector<float>& scratch) const {
  if (out.size() != 2 * k_ * cells_) {
    throw std::invalid_argument("SoftPool: output has " + std::to_string(out.size()) + " values, expected " +
                                std::to_string(2 * k_ * cells_));
  }
#if defined(__AVX512F__)
  const Index cell_size = 2 * k_padded_;
  scratch.assign(static_cast<std::size_t>(cells_ * cell_size), 0.0f);  // 0 is also max pooling's start: parts are ≥ 0
  const auto G = static_cast<int>(grids_.size());
  const Index positions = rows_ * cols_;
  std::vector<float*> cells(grids_.size());
  TileTarget target{cells.data(), G, k_padded_, kind_ == PoolKind::max};
  for (Index block = 0; block < k_padded_; block += kMaxVectors * kLanes) {
    const auto vectors = static_cast<int>(std::min<Index>(kMaxVectors, (k_padded_ - block) / kLanes));
    const float* w = weights_.data() + block;
    const float* bias = bias_.data() + block;
    for (Index r = 0; r < rows_; ++r) {
      for (const Run& run : runs_) {
        for (int g = 0; g < G; ++g) {
          const Index cell = row_cells_[static_cast<std::size_t>(r * G + g)] +
                             column_cells_[static_cast<std::size_t>(run.column + g)];
          cells[static_cast<std::size_t>(g)] = scratch.data() + cell * cell_size + block;
        }
        kTiles[static_cast<std::size_t>(vectors - 1)][static_cast<std::size_t>(run.length - 1)](
            w, k_padded_, d_, patches + r * cols_ + run.first, positions, bias, alpha_, target);
      }
    }
  }
  for (Index c = 0; c < cells_; ++c) {
    const float* cell = scratch.data() + c * cell_size;
    auto region = out.segment(c * 2 * k_, 2 * k_);
    region.head(k_) = Eigen::Map<const Vector<float>>(cell, k_);
    region.tail(k_) = Eigen::Map<const Vector<float>>(cell + k_padded_, k_);
    if (kind_ == PoolKind::mean) region /= static_cast<float>(region_sizes_[static_cast<std::size_t>(c)]);
  }
#else
  pool_fallback(patches, out, scratch);
#endif
}

}  // namespace sparsecode::features::internal
