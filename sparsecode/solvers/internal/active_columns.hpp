// The Gram columns of an active set gathered side by side, so that G_{·A}w is one matrix-vector product.
#pragma once

#include <vector>

#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers::internal {

/// G_{·A} (k×m) for an ordered active set A, stored contiguously in A's order. Active-set
/// solvers (LARS, OMP) need u = G_{·A}w over all k atoms at every step; reading m scattered
/// columns of G as m separate axpys reloads and stores the k-vector m times, while one
/// column-major GEMV on the gathered block streams it once. Appending copies one column (O(k)),
/// removing shifts the later ones (O(k·m), rare). All storage is allocated by reserve().
template <class T>
class ActiveColumns {
 public:
  /// Room for `capacity` columns of length `rows`; empties the set. Only columns appended
  /// since are read, so storage of this shape is kept as it is.
  void reserve(core::Index rows, core::Index capacity) {
    if (cols_.rows() != rows || cols_.cols() != capacity) cols_.setZero(rows, capacity);
    positions_.resize(static_cast<std::size_t>(capacity));
    for (core::Index q = 0; q < capacity; ++q) positions_[static_cast<std::size_t>(q)] = q;
    m_ = 0;
  }
  core::Index size() const { return m_; }
  void clear() { m_ = 0; }

  /// Appends a column (G_{·j} for the atom j joining A).
  void append(const Eigen::Ref<const core::Vector<T>>& column) { cols_.col(m_++) = column; }

  /// Removes the column at position p (0 ≤ p < m), keeping the others in order.
  void remove(core::Index position) {
    for (core::Index q = position; q + 1 < m_; ++q) cols_.col(q) = cols_.col(q + 1);
    --m_;
  }

  /// out = G_{·A} w (w of length m, out of length k).
  void multiply(const Eigen::Ref<const core::Vector<T>>& w, Eigen::Ref<core::Vector<T>> out) const {
    weighted_column_sum(cols_.data(), cols_.rows(), positions_.data(), w.data(), m_, cols_.rows(), out.data(),
                        AssignSum{});
  }

  /// out −= G_{·A} w.
  void subtract_product(const Eigen::Ref<const core::Vector<T>>& w, Eigen::Ref<core::Vector<T>> out) const {
    weighted_column_sum(cols_.data(), cols_.rows(), positions_.data(), w.data(), m_, cols_.rows(), out.data(),
                        SubtractSum{});
  }

 private:
  core::Matrix<T> cols_;
  std::vector<core::Index> positions_;  // 0, 1, 2, …: the columns are stored in A's order
  core::Index m_ = 0;
};

}  // namespace sparsecode::solvers::internal
