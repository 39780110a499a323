// Bordered Cholesky updates and Givens downdates for active-set solvers.
#include "solvers/active_cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparsecode::solvers {

template <class T>
void ActiveCholesky<T>::reserve(Index capacity) {
  r_.setZero(capacity, capacity);
  m_ = 0;
}

template <class T>
bool ActiveCholesky<T>::append(const Matrix<T>& gram, const std::vector<Index>& active, Index j, T mu,
                               T tolerance) {
  const Index m = m_;
  auto border = r_.col(m).head(m);
  for (Index i = 0; i < m; ++i) border(i) = gram(active[static_cast<std::size_t>(i)], j);
  // R's new column z solves Rᵀz = G_{Aj}; the new pivot is √(G_jj + μ − ‖z‖²).
  r_.topLeftCorner(m, m).template triangularView<Eigen::Upper>().transpose().solveInPlace(border);
  const T diag = gram(j, j) + mu;
  const T pivot2 = diag - border.squaredNorm();
  if (!(pivot2 > tolerance * diag)) return false;
  r_(m, m) = std::sqrt(pivot2);
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
  m_ = m - 1;
}

template <class T>
void ActiveCholesky<T>::solve_in_place(Eigen::Ref<Vector<T>> v) const {
  const auto r = r_.topLeftCorner(m_, m_);
  r.template triangularView<Eigen::Upper>().transpose().solveInPlace(v);
  r.template triangularView<Eigen::Upper>().solveInPlace(v);
}

template <class T>
T effective_pivot_tolerance(double requested) {
  return std::max(static_cast<T>(requested), T(100) * std::numeric_limits<T>::epsilon());
}

template class ActiveCholesky<float>;
template class ActiveCholesky<double>;
template float effective_pivot_tolerance<float>(double);
template double effective_pivot_tolerance<double>(double);

}  // namespace sparsecode::solvers
