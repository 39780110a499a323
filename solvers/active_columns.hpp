// The Gram columns of an active set gathered side by side, so that G_{·A}w is one matrix-vector product.
#pragma once

#include "sparse/types.hpp"

namespace sparsecode::solvers {

/// G_{·A} (k×m) for an ordered active set A, stored contiguously in A's order. Active-set
/// solvers (LARS, OMP) need u = G_{·A}w over all k atoms at every step; reading m scattered
/// columns of G as m separate axpys reloads and stores the k-vector m times, while one
/// column-major GEMV on the gathered block streams it once. Appending copies one column (O(k)),
/// removing shifts the later ones (O(k·m), rare). All storage is allocated by reserve().
template <class T>
class ActiveColumns {
 public:
  /// Room for `capacity` columns of length `rows`; empties the set.
  void reserve(sparse::Index rows, sparse::Index capacity) {
    cols_.setZero(rows, capacity);
    m_ = 0;
  }
  sparse::Index size() const { return m_; }
  void clear() { m_ = 0; }

  /// Appends a column (G_{·j} for the atom j joining A).
  void append(const Eigen::Ref<const sparse::Vector<T>>& column) { cols_.col(m_++) = column; }

  /// Removes the column at position p (0 ≤ p < m), keeping the others in order.
  void remove(sparse::Index position) {
    for (sparse::Index q = position; q + 1 < m_; ++q) cols_.col(q) = cols_.col(q + 1);
    --m_;
  }

  /// out = G_{·A} w (w of length m, out of length k).
  void multiply(const Eigen::Ref<const sparse::Vector<T>>& w, Eigen::Ref<sparse::Vector<T>> out) const {
    product(w, out, [](T, T sum) { return sum; });
  }

  /// out −= G_{·A} w.
  void subtract_product(const Eigen::Ref<const sparse::Vector<T>>& w, Eigen::Ref<sparse::Vector<T>> out) const {
    product(w, out, [](T old, T sum) { return old - sum; });
  }

 private:
  // out_j = combine(out_j, (G_{·A}w)_j). Rows go in blocks whose partial sums stay in
  // registers across all m columns, so each output entry is loaded and stored once (a generic
  // GEMV updates the output once per few columns, which dominates when m is ~10).
  template <class Combine>
  void product(const Eigen::Ref<const sparse::Vector<T>>& w, Eigen::Ref<sparse::Vector<T>> out,
               Combine combine) const {
    constexpr sparse::Index block = 32;
    const sparse::Index k = cols_.rows();
    const T* columns = cols_.data();
    const T* weights = w.data();
    T* o = out.data();
    sparse::Index j0 = 0;
    for (; j0 + block <= k; j0 += block) {
      T sum[block] = {};
      for (sparse::Index i = 0; i < m_; ++i) {
        const T wi = weights[i];
        const T* column = columns + i * k + j0;
        for (sparse::Index l = 0; l < block; ++l) sum[l] += column[l] * wi;
      }
      for (sparse::Index l = 0; l < block; ++l) o[j0 + l] = combine(o[j0 + l], sum[l]);
    }
    for (sparse::Index j = j0; j < k; ++j) {
      T sum = 0;
      for (sparse::Index i = 0; i < m_; ++i) sum += columns[i * k + j] * weights[i];
      o[j] = combine(o[j], sum);
    }
  }

  sparse::Matrix<T> cols_;
  sparse::Index m_ = 0;
};

}  // namespace sparsecode::solvers
