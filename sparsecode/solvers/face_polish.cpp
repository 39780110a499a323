// Face polishing: the minimiser on a fixed sign pattern by Cholesky, kept only when its duality gap certifies it.
#include "sparsecode/solvers/face_polish.hpp"

#include <cmath>
#include <limits>

#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/solvers/internal/column_sum.hpp"

namespace sparsecode::solvers {

template <class T>
std::uint64_t sign_signature(const T* a, Index n) {
  std::uint64_t h = 0;
  for (Index j = 0; j < n; ++j) {
    // A distinct odd weight per index and sign, summed: independent of the summation order,
    // and branch-free so that it vectorises.
    const std::uint64_t w = (static_cast<std::uint64_t>(j) + 1) * 0x9E3779B97F4A7C15ULL;
    const std::uint64_t code = static_cast<std::uint64_t>(a[j] > T(0)) + 3 * static_cast<std::uint64_t>(a[j] < T(0));
    h += w * code;
  }
  return h;
}

template <class T>
bool solve_face_system(const T* gram, Index ld, const Index* face, Index m, T lambda2, T* factor,
                       T* inverse_diagonal, T* rhs) {
  Eigen::Map<Matrix<T>> u(factor, m, m);
  Eigen::Map<Vector<T>> z(rhs, m);
  for (Index c = 0; c < m; ++c) {
    const T* column = gram + face[c] * ld;
    for (Index r = 0; r <= c; ++r) {
      T v = column[face[r]] + (r == c ? lambda2 : T(0));
      if (r > 0) v -= u.col(r).head(r).dot(u.col(c).head(r));
      if (r == c) {
        if (!(v > T(64) * std::numeric_limits<T>::epsilon() * (column[face[c]] + lambda2))) return false;
        u(c, c) = std::sqrt(v);
        inverse_diagonal[c] = T(1) / u(c, c);
      } else {
        u(r, c) = v * inverse_diagonal[r];
      }
    }
  }
  // UᵀU z = rhs: forward (Uᵀ) then backward (U) substitution.
  for (Index r = 0; r < m; ++r) {
    T v = z(r);
    if (r > 0) v -= u.col(r).head(r).dot(z.head(r));
    z(r) = v * inverse_diagonal[r];
  }
  for (Index r = m - 1; r >= 0; --r) {
    z(r) *= inverse_diagonal[r];
    if (r > 0) z.head(r).noalias() -= z(r) * u.col(r).head(r);
  }
  return true;
}

template <class T>
void FacePolish<T>::reserve(Index k) {
  support_.assign(static_cast<std::size_t>(k), 0);
  factor_.resize(k * k);
  for (Vector<T>* v : {&inverse_diagonal_, &rhs_, &b_, &gb_, &grad_}) v->resize(k);
}

template <class T>
bool FacePolish<T>::improve(const T* gram, Index n, const T* c, T x_norm2, const Penalty& penalty, T tolerance,
                            T* a, T* ga) {
  const T lambda = static_cast<T>(penalty.lambda);
  const T lambda2 = static_cast<T>(penalty.lambda2);
  const Index s = core::internal::compact_support(a, n, support_.data(), b_.data());
  if (s == 0) return false;  // a = 0 is its own face minimiser: the caller's certificate decides
  for (Index q = 0; q < s; ++q) {
    const Index jq = support_[static_cast<std::size_t>(q)];
    rhs_(q) = c[jq] - (a[jq] > T(0) ? lambda : -lambda);
  }
  if (!solve_face_system(gram, n, support_.data(), s, lambda2, factor_.data(), inverse_diagonal_.data(),
                         rhs_.data())) {
    return false;
  }
  const auto bs = rhs_.head(s);
  if (!bs.allFinite()) return false;
  if (penalty.sign == CodeSign::nonnegative && (bs.array() < T(0)).any()) return false;

  // b on all n atoms, G·b over its support, and b's own certificate.
  b_.head(n).setZero();
  for (Index q = 0; q < s; ++q) {
    const Index jq = support_[static_cast<std::size_t>(q)];
    b_(jq) = bs(q);
  }
  internal::weighted_column_sum(gram, n, support_.data(), bs.data(), s, n, gb_.data(), internal::AssignSum{});
  const Eigen::Map<const Vector<T>> cv(c, n);
  auto grad = grad_.head(n);
  grad = cv - gb_.head(n);
  const Certificate<T> cert = certify_from_gradient<T>(cv, x_norm2, b_.head(n), penalty, grad);
  if (!(cert.relative_gap() <= tolerance)) return false;
  Eigen::Map<Vector<T>>(a, n) = b_.head(n);
  Eigen::Map<Vector<T>>(ga, n) = gb_.head(n);
  return true;
}

template std::uint64_t sign_signature(const float*, Index);
template std::uint64_t sign_signature(const double*, Index);
template bool solve_face_system(const float*, Index, const Index*, Index, float, float*, float*, float*);
template bool solve_face_system(const double*, Index, const Index*, Index, double, double*, double*, double*);
template class FacePolish<float>;
template class FacePolish<double>;

}  // namespace sparsecode::solvers
