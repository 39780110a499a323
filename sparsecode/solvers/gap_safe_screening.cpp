// Gap-safe sphere test and the eigenvalue bound of a screened Gram block.
#include "sparsecode/solvers/gap_safe_screening.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparsecode::solvers {

template <class T>
Index gap_safe_survivors(const Eigen::Ref<const Vector<T>>& correlation, const Certificate<T>& certificate,
                         const Eigen::Ref<const Vector<T>>& atom_norms, const Penalty& penalty, Index* kept) {
  const Index k = correlation.size();
  const T lambda = static_cast<T>(penalty.lambda);
  if (certificate.kind != CertificateKind::duality_gap || !(lambda > T(0))) {
    for (Index j = 0; j < k; ++j) kept[j] = j;
    return k;
  }
  const T eps = std::numeric_limits<T>::epsilon();
  // The gap is a difference of two values of size |objective|; its round-off is a few ε of that.
  const T slack = T(64) * eps * (std::abs(certificate.objective) + std::abs(certificate.dual_point));
  const T radius = std::sqrt(T(2) * (std::max(certificate.objective - certificate.dual_point, T(0)) + slack));
  const T s = certificate.dual_scale;
  const T limit = lambda * (T(1) - T(16) * eps);
  const bool nonneg = penalty.sign == CodeSign::nonnegative;
  Index n = 0;
  for (Index j = 0; j < k; ++j) {
    const T g = nonneg ? correlation(j) : std::abs(correlation(j));
    kept[n] = j;
    n += s * g + atom_norms(j) * radius < limit ? 0 : 1;  // branch-free: the outcome is data-dependent
  }
  return n;
}

template <class T>
T principal_eigenvalue_bound(const T* gram, Index n) {
  T row_sum_max = 0;
  T frobenius2 = 0;
  for (Index j = 0; j < n; ++j) {
    T sum = 0;
    for (Index i = 0; i < n; ++i) {
      const T v = gram[j * n + i];
      sum += std::abs(v);
      frobenius2 += v * v;
    }
    row_sum_max = std::max(row_sum_max, sum);  // column sums are row sums: G is symmetric
  }
  return std::min(row_sum_max, std::sqrt(frobenius2));
}

template Index gap_safe_survivors(const Eigen::Ref<const Vector<float>>&, const Certificate<float>&,
                                  const Eigen::Ref<const Vector<float>>&, const Penalty&, Index*);
template Index gap_safe_survivors(const Eigen::Ref<const Vector<double>>&, const Certificate<double>&,
                                  const Eigen::Ref<const Vector<double>>&, const Penalty&, Index*);
template float principal_eigenvalue_bound(const float*, Index);
template double principal_eigenvalue_bound(const double*, Index);

}  // namespace sparsecode::solvers
