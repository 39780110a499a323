// Bordered Cholesky updates and Givens downdates for active-set solvers.
#include "sparsecode/solvers/internal/active_cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparsecode::solvers::internal {

template <class T>
void ActiveCholesky<T>::reserve(Index capacity, InverseFactor inverse) {
  m_ = 0;
  const bool keep = inverse == InverseFactor::kept;
  // M's rows are padded to a multiple of 8, so that its products run on whole packets of 8
  // rows (the padding, like M's lower triangle, stays zero).
  const Index padded = keep ? (capacity + 7) / 8 * 8 : 0;
  // Storage of this shape already holds those zeros (every operation keeps them, as between
  // two samples): a solver prepared again for a new dictionary of the same size, once per
  // mini-batch in the learners, does not clear its O(k²) factors again.
  if (keep == keep_inverse_ && r_.rows() == capacity && m_inv_.rows() == padded) return;
  keep_inverse_ = keep;
  r_.setZero(capacity, capacity);
  m_inv_.setZero(padded, keep_inverse_ ? capacity : 0);
  scratch_.setZero(padded);
  inverse_diagonal_.setZero(capacity);
}

template <class T>
bool ActiveCholesky<T>::append(const Matrix<T>& gram, const std::vector<Index>& active, Index j, T mu,
                               T tolerance) {
  const Index m = m_;
  T* border = r_.col(m).data();
  for (Index i = 0; i < m; ++i) border[i] = gram(active[static_cast<std::size_t>(i)], j);
  // R's new column z solves Rᵀz = G_{Aj}; the new pivot is √(G_jj + μ − ‖z‖²).
  if (keep_inverse_) {
    // z_i = M_{0:i,i}·b_{0:i}: independent dot products over whole packets of 8 (M is zero
    // below its diagonal, and b is copied into zero-padded scratch).
    using Packet = Eigen::Matrix<T, 8, 1>;
    const Index padded_m = (m + 7) / 8 * 8;
    scratch_.head(padded_m).setZero();
    scratch_.head(m) = Eigen::Map<const Vector<T>>(border, m);
    const Index ld = m_inv_.rows();
    const T* b = scratch_.data();
    for (Index i = 0; i < m; ++i) {
      const T* column = m_inv_.data() + i * ld;
      Packet acc = Eigen::Map<const Packet>(column).cwiseProduct(Eigen::Map<const Packet>(b));
      for (Index q = 8; q <= i; q += 8) acc += Eigen::Map<const Packet>(column + q).cwiseProduct(Eigen::Map<const Packet>(b + q));
      border[i] = acc.sum();
    }
  } else {
    forward_substitution(border);
  }
  const T diag = gram(j, j) + mu;
  const T pivot2 = diag - r_.col(m).head(m).squaredNorm();
  if (!(pivot2 > tolerance * diag)) return false;
  r_(m, m) = std::sqrt(pivot2);
  inverse_diagonal_(m) = T(1) / r_(m, m);
  if (keep_inverse_) border_inverse(m);
  m_ = m + 1;
  return true;
}

template <class T>
void ActiveCholesky<T>::remove(Index position) {
  const Index m = m_;
  // Deleting column p of R leaves an upper Hessenberg tail; rotations on rows (i, i+1) from
  // the left zero its subdiagonal and keep RᵀR unchanged (they are orthogonal).
  for (Index q = position; q + 1 < m; ++q) r_.col(q).head(m) = r_.col(q + 1).head(m);
  for (Index i = position; i + 1 < m; ++i) {
    const T a = r_(i, i);
    const T b = r_(i + 1, i);
    const T rho = std::hypot(a, b);
    if (rho == T(0)) continue;
    const T c = a / rho;
    const T s = b / rho;
    for (Index q = i; q + 1 < m; ++q) {
      const T x = r_(i, q);
      const T y = r_(i + 1, q);
      r_(i, q) = c * x + s * y;
      r_(i + 1, q) = c * y - s * x;
    }
    r_(i, i) = rho;
    r_(i + 1, i) = T(0);
  }
  for (Index i = position; i + 1 < m; ++i) inverse_diagonal_(i) = T(1) / r_(i, i);
  if (keep_inverse_) {
    for (Index i = position; i + 1 < m; ++i) border_inverse(i);
  }
  m_ = m - 1;
}

template <class T>
void ActiveCholesky<T>::border_inverse(Index i) {
  // R = [[R₀, z], [0, ρ]] has inverse [[M₀, −M₀z/ρ], [0, 1/ρ]]. M₀ is upper triangular, so rows
  // r₀..r₀+7 of M₀z take only the columns q ≥ r₀: a block of 8 rows costs i − r₀ packet
  // products, about i²/16 in all, where whole 512-byte blocks of rows would cost 8i at the
  // supports LARS and OMP see (i ≲ 30). The rows below i come from M's zero padding.
  using Packet = Eigen::Matrix<T, 8, 1>;
  const Index ld = m_inv_.rows();
  const T* m_inv = m_inv_.data();
  const T* z = r_.col(i).data();
  for (Index r0 = 0; r0 < i; r0 += 8) {
    Packet sum = z[r0] * Eigen::Map<const Packet>(m_inv + r0 * ld + r0);
    for (Index q = r0 + 1; q < i; ++q) sum.noalias() += z[q] * Eigen::Map<const Packet>(m_inv + q * ld + r0);
    Eigen::Map<Packet>(scratch_.data() + r0) = sum;
  }
  m_inv_.col(i).head(i) = -inverse_diagonal_(i) * scratch_.head(i);
  m_inv_(i, i) = inverse_diagonal_(i);
}

// The factor is small (m is the support size, ~10-30): plain substitutions that read R by
// columns beat Eigen's blocked triangular solver, whose set-up dominates at this size, and
// multiplying by the stored 1/R_ii keeps divisions off the substitutions' dependency chain.
template <class T>
void ActiveCholesky<T>::forward_substitution(T* v) const {
  // Rᵀz = b, row i of Rᵀ is column i of R: z_i = (b_i − R_{0:i,i}·z_{0:i}) / R_ii.
  const Index ld = r_.rows();
  const T* r = r_.data();
  const T* inverse_diagonal = inverse_diagonal_.data();
  for (Index i = 0; i < m_; ++i) {
    const T* column = r + i * ld;
    T s = v[i];
    for (Index l = 0; l < i; ++l) s -= column[l] * v[l];
    v[i] = s * inverse_diagonal[i];
  }
}

template <class T>
void ActiveCholesky<T>::back_substitution(T* v) const {
  // Rv = z by columns from the last: v_i = z_i / R_ii, then z_{0:i} −= v_i R_{0:i,i}.
  const Index ld = r_.rows();
  const T* r = r_.data();
  const T* inverse_diagonal = inverse_diagonal_.data();
  for (Index i = m_; i-- > 0;) {
    const T* column = r + i * ld;
    const T vi = v[i] * inverse_diagonal[i];
    v[i] = vi;
    for (Index l = 0; l < i; ++l) v[l] -= vi * column[l];
  }
}

template <class T>
void ActiveCholesky<T>::solve_in_place(Eigen::Ref<Vector<T>> v) const {
  eigen_assert(v.size() == m_);
  forward_substitution(v.data());
  back_substitution(v.data());
}

template <class T>
void ActiveCholesky<T>::solve_transposed_in_place(Eigen::Ref<Vector<T>> v) const {
  eigen_assert(v.size() == m_);
  forward_substitution(v.data());
}

template <class T>
void ActiveCholesky<T>::solve_upper_in_place(Eigen::Ref<Vector<T>> v) const {
  eigen_assert(v.size() == m_);
  back_substitution(v.data());
}

template <class T>
T ActiveCholesky<T>::extend_transposed_solution(const Eigen::Ref<const Vector<T>>& z, T b_last) const {
  eigen_assert(m_ > 0 && z.size() >= m_ - 1);
  // The same operations as the last row of forward_substitution.
  const Index i = m_ - 1;
  const T* column = r_.col(i).data();
  T s = b_last;
  for (Index l = 0; l < i; ++l) s -= column[l] * z(l);
  return s * inverse_diagonal_(i);
}

template <class T>
T effective_pivot_tolerance(double requested) {
  return std::max(static_cast<T>(requested), T(100) * std::numeric_limits<T>::epsilon());
}

template class ActiveCholesky<float>;
template class ActiveCholesky<double>;
template float effective_pivot_tolerance<float>(double);
template double effective_pivot_tolerance<double>(double);

}  // namespace sparsecode::solvers::internal
