// Face polishing: the minimiser on a fixed sign pattern by Cholesky, kept only when its duality gap certifies it.
#include "solvers/face_polish.hpp"

#include <Eigen/Cholesky>

#include "solvers/column_sum.hpp"

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
void FacePolish<T>::reserve(Index k) {
  support_.assign(static_cast<std::size_t>(k), 0);
  packed_.resize(k * k);
  for (Vector<T>* v : {&rhs_, &b_, &gb_, &grad_}) v->resize(k);
}

template <class T>
bool FacePolish<T>::improve(const T* gram, Index n, const T* c, T x_norm2, const Penalty& penalty, T tolerance,
                            T* a, T* ga) {
  const T lambda = static_cast<T>(penalty.lambda);
  const T lambda2 = static_cast<T>(penalty.lambda2);
  const Index s = compact_support(a, n, support_.data(), b_.data());
  if (s == 0) return false;  // a = 0 is its own face minimiser: the caller's certificate decides
  Eigen::Map<Matrix<T>> m(packed_.data(), s, s);
  for (Index q = 0; q < s; ++q) {
    const Index jq = support_[static_cast<std::size_t>(q)];
    for (Index p = 0; p < s; ++p) m(p, q) = gram[jq * n + support_[static_cast<std::size_t>(p)]];
    m(q, q) += lambda2;
    rhs_(q) = c[jq] - (a[jq] > T(0) ? lambda : -lambda);
  }
  Eigen::LLT<Eigen::Ref<Matrix<T>>> llt(m);  // in place: no allocation
  if (llt.info() != Eigen::Success) return false;
  auto bs = rhs_.head(s);
  llt.solveInPlace(bs);
  if (!bs.allFinite()) return false;
  if (penalty.sign == CodeSign::nonnegative && (bs.array() < T(0)).any()) return false;

  // b on all n atoms, G·b over its support, and b's own certificate.
  b_.head(n).setZero();
  for (Index q = 0; q < s; ++q) {
    const Index jq = support_[static_cast<std::size_t>(q)];
    b_(jq) = bs(q);
  }
  weighted_column_sum(gram, n, support_.data(), bs.data(), s, n, gb_.data(), AssignSum{});
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
template class FacePolish<float>;
template class FacePolish<double>;

}  // namespace sparsecode::solvers
