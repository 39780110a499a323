// The weighted sum of a few Gram columns, Σᵢ wᵢ·gᵢ, with the partial sums held in registers.
#pragma once

#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers::internal {

/// out_r = combine(out_r, Σᵢ weights[i]·G(r, columns[i])) for r < rows, where column j of G
/// starts at base + j·ld, the sum running over i = 0..n−1 in order. The rows go in blocks whose partial sums stay in registers across all
/// n columns, so each output entry is loaded and stored once: a column-by-column axpy (or a
/// generic GEMV, which updates the output once per few columns) stores it n times, and that
/// dominates when n is ~10 and the columns come from L1/L2. Used wherever a solver needs G·a
/// over a small support (FISTA's iterates, LARS's and OMP's active sets).
template <class T, class Combine>
void weighted_column_sum(const T* base, core::Index ld, const core::Index* columns, const T* weights,
                         core::Index n, core::Index rows, T* out, Combine combine) {
  // 8 AVX-512 registers (64 doubles or 128 floats): enough independent FMA chains, and each
  // column is read in 512-byte runs (32 double rows were slower in LARS's benchmark, bench/run_encode.sh). An Eigen
  // fixed-size block keeps the partial sums in registers; GCC spills a plain T[32] array to
  // the stack here.
  constexpr core::Index block = static_cast<core::Index>(512 / sizeof(T));
  using Block = Eigen::Matrix<T, block, 1>;
  core::Index r0 = 0;
  if (n == 0) {
    for (core::Index r = 0; r < rows; ++r) out[r] = combine(out[r], T(0));
    return;
  }
  for (; r0 + block <= rows; r0 += block) {
    // Starting from the first column rather than from Block::Zero(), which GCC builds on the
    // stack with a `rep stos` before loading it into registers.
    Block sum = weights[0] * Eigen::Map<const Block>(base + columns[0] * ld + r0);
    for (core::Index i = 1; i < n; ++i) sum.noalias() += weights[i] * Eigen::Map<const Block>(base + columns[i] * ld + r0);
    for (core::Index l = 0; l < block; ++l) out[r0 + l] = combine(out[r0 + l], sum(l));
  }
  for (core::Index r = r0; r < rows; ++r) {
    T sum = 0;
    for (core::Index i = 0; i < n; ++i) sum += base[columns[i] * ld + r] * weights[i];
    out[r] = combine(out[r], sum);
  }
}

/// The `combine` of weighted_column_sum that overwrites: out = Σᵢ wᵢ·gᵢ.
struct AssignSum {
  template <class T>
  T operator()(T, T sum) const { return sum; }
};

/// The `combine` of weighted_column_sum that subtracts: out −= Σᵢ wᵢ·gᵢ.
struct SubtractSum {
  template <class T>
  T operator()(T old, T sum) const { return old - sum; }
};

/// grad = c − G·a (G n×n column-major, c and a of length n) from a's support alone: k·nnz
/// flops. `support` and `values` (length ≥ n) receive the support as compact_support lists it;
/// returns its size. The encoder's per-sample certificate and LARS's KKT check start here.
template <class T>
core::Index sparse_gradient(const T* gram, core::Index n, const T* c, const T* a, core::Index* support,
                              T* values, T* grad) {
  const core::Index m = core::internal::compact_support(a, n, support, values);
  for (core::Index r = 0; r < n; ++r) grad[r] = c[r];
  weighted_column_sum(gram, n, support, values, m, n, grad, SubtractSum{});
  return m;
}

}  // namespace sparsecode::solvers::internal
