// Shared solver pieces: penalty validation, the Gram cache, the default block loop and the duality-gap certificate.
#include "sparsecode/solvers/code_solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <stdexcept>
#include <string>

namespace sparsecode::solvers {

void Penalty::validate() const {
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) {
    throw std::invalid_argument("Penalty.lambda must be a finite value >= 0, got " +
                                std::to_string(lambda));
  }
  if (!(lambda2 >= 0.0) || !std::isfinite(lambda2)) {
    throw std::invalid_argument("Penalty.lambda2 must be a finite value >= 0, got " +
                                std::to_string(lambda2));
  }
}

namespace {

// Largest eigenvalue of a symmetric positive semidefinite matrix by power iteration from a
// deterministic start (all ones plus a ramp, so it is not orthogonal to the top eigenvector
// for the matrices we meet).
template <class T>
T largest_eigenvalue(const Matrix<T>& g) {
  const Index k = g.rows();
  if (k == 0) return T(0);
  Vector<double> v(k);
  for (Index i = 0; i < k; ++i) v(i) = 1.0 + static_cast<double>(i) / static_cast<double>(k);
  v.normalize();
  const Matrix<double> gd = g.template cast<double>();
  Vector<double> w(k);
  double mu = 0.0;
  for (int it = 0; it < 5000; ++it) {
    w.noalias() = gd * v;
    const double next = v.dot(w);
    const double norm = w.norm();
    if (norm == 0.0) return T(0);
    v = w / norm;
    if (it > 0 && std::abs(next - mu) <= 1e-10 * std::abs(next)) {
      mu = next;
      break;
    }
    mu = next;
  }
  return static_cast<T>(mu);
}

}  // namespace

template <class T>
GramCache<T>::GramCache(const Matrix<T>& dictionary)
    : gram_(dictionary.transpose() * dictionary) {}

template <class T>
T GramCache<T>::lipschitz() const {
  std::call_once(lipschitz_once_, [this] { lipschitz_ = largest_eigenvalue(gram_); });
  return lipschitz_;
}

template <class T>
const Matrix<float>& GramCache<T>::gram_float() const {
  if constexpr (std::is_same_v<T, float>) {
    return gram_;
  } else {
    std::call_once(gram_float_once_, [this] { gram_float_ = gram_.template cast<float>(); });
    return gram_float_;
  }
}

template <class T>
void CodeSolver<T>::solve_block(const Eigen::Ref<const Matrix<T>>& dtx,
                                const Eigen::Ref<const Vector<T>>& x_norm2,
                                Eigen::Ref<Matrix<T>> codes, SampleResult* results) {
  for (Index j = 0; j < dtx.cols(); ++j) {
    results[j] = solve(dtx.col(j), x_norm2(j), codes.col(j));
  }
}

template <class T>
T Certificate<T>::relative_gap() const {
  if (kind == CertificateKind::stationarity) return stationarity;
  const T scale = std::max(std::abs(objective), std::numeric_limits<T>::min());
  return gap() / scale;
}

template <class T>
Certificate<T> certify(const Matrix<T>& gram, const Eigen::Ref<const Vector<std::type_identity_t<T>>>& dtx,
                       std::type_identity_t<T> x_norm2,
                       const Eigen::Ref<const Vector<std::type_identity_t<T>>>& code,
                       const Penalty& penalty, Eigen::Ref<Vector<std::type_identity_t<T>>> grad) {
  grad.noalias() = dtx - gram * code;  // Dᵀr
  return certify_from_gradient<T>(dtx, x_norm2, code, penalty, grad);
}

namespace {

// The sums and maxima a certificate needs, gathered in one pass over the k atoms.
template <class T>
struct CertificateSums {
  T ctA = 0;       // cᵀa
  T a_grad = 0;    // aᵀ(c − Ga)
  T a_norm2 = 0;   // ‖a‖²
  T a_norm1 = 0;   // ‖a‖₁
  T bound = 0;     // ‖D̃ᵀr̃‖∞ (for a ≥ 0 the largest positive entry)
  T v_max = 0;     // ‖v‖∞, v the least-norm subgradient
  T v_norm2 = 0;   // ‖v‖²
  T c_max = 0;     // ‖c‖∞
};

// One pass: grad (c − Ga on entry) becomes c − Ga − λ₂a, and every reduction is accumulated in
// fixed lanes. Iterative solvers certify at every gap check, and separate Eigen reductions (eight
// passes, the subgradient's selects running scalar) cost more than a proximal step.
template <class T>
CertificateSums<T> certificate_sums(const T* c, const T* a, T* grad, Index k, T lambda, T lambda2, bool nonneg) {
  constexpr Index lanes = 8;
  T ctA[lanes] = {}, a_grad[lanes] = {}, a_norm2[lanes] = {}, a_norm1[lanes] = {};
  T bound[lanes] = {}, v_max[lanes] = {}, v_norm2[lanes] = {}, c_max[lanes] = {};
  const T mirror = nonneg ? T(1) : T(-1);  // max(g, mirror·g) is |g|, or g itself for a ≥ 0
  auto accumulate = [&](Index j, Index l) {
    const T aj = a[j];
    const T cj = c[j];
    const T g0 = grad[j];
    ctA[l] += cj * aj;
    a_grad[l] += aj * g0;
    a_norm2[l] += aj * aj;
    a_norm1[l] += std::abs(aj);
    c_max[l] = std::max(c_max[l], std::abs(cj));
    const T g = g0 - lambda2 * aj;  // D̃ᵀr̃ for the elastic net's augmented problem
    grad[j] = g;
    const T g_off = std::max(g, mirror * g);
    bound[l] = std::max(bound[l], g_off);
    // Least-norm subgradient: −g + λ·sign(a_j) on the support; off it the part of |g| beyond λ
    // (for a ≥ 0 only its positive part, the normal cone absorbing the rest).
    const T on = aj > T(0) ? std::abs(g - lambda) : std::abs(g + lambda);
    const T v = aj != T(0) ? on : std::max(g_off - lambda, T(0));
    v_max[l] = std::max(v_max[l], v);
    v_norm2[l] += v * v;
  };
  Index j = 0;
  for (; j + lanes <= k; j += lanes) {
    for (Index l = 0; l < lanes; ++l) accumulate(j + l, l);
  }
  for (Index l = 0; j < k; ++j, ++l) accumulate(j, l);
  CertificateSums<T> s;
  for (Index l = 0; l < lanes; ++l) {
    s.ctA += ctA[l];
    s.a_grad += a_grad[l];
    s.a_norm2 += a_norm2[l];
    s.a_norm1 += a_norm1[l];
    s.bound = std::max(s.bound, bound[l]);
    s.v_max = std::max(s.v_max, v_max[l]);
    s.v_norm2 += v_norm2[l];
    s.c_max = std::max(s.c_max, c_max[l]);
  }
  return s;
}

}  // namespace

template <class T>
Certificate<T> certify_from_gradient(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                     const Eigen::Ref<const Vector<T>>& code, const Penalty& penalty,
                                     Eigen::Ref<Vector<T>> grad) {
  const T lambda = static_cast<T>(penalty.lambda);
  const T lambda2 = static_cast<T>(penalty.lambda2);
  const bool nonneg = penalty.sign == CodeSign::nonnegative;
  const CertificateSums<T> sums =
      certificate_sums(dtx.data(), code.data(), grad.data(), grad.size(), lambda, lambda2, nonneg);
  // ‖r‖² = ‖x‖² − 2cᵀa + aᵀGa, with aᵀGa = cᵀa − aᵀ(Dᵀr).
  const T aGa = sums.ctA - sums.a_grad;
  const T residual_norm2 = std::max(T(0), x_norm2 - 2 * sums.ctA + aGa);
  const T r_norm2 = residual_norm2 + lambda2 * sums.a_norm2;
  Certificate<T> c;
  c.residual_norm2 = residual_norm2;
  // With the augmented residual, ½‖r̃‖² = ½‖x − Da‖² + ½λ₂‖a‖².
  c.objective = T(0.5) * r_norm2 + lambda * sums.a_norm1;
  const T xr = x_norm2 - sums.ctA;  // xᵀr (the augmented part of x is zero)
  const T s = sums.bound > lambda ? lambda / sums.bound : T(1);
  c.dual_scale = s;
  c.dual_point = s * xr - T(0.5) * s * s * r_norm2;
  c.dual = c.dual_point;
  c.stationarity = sums.v_max / std::max(sums.c_max, std::numeric_limits<T>::min());
  if (lambda2 > T(0)) c.dual = std::max(c.dual, c.objective - sums.v_norm2 / (T(2) * lambda2));
  if (lambda == T(0) && lambda2 == T(0)) c.kind = CertificateKind::stationarity;
  return c;
}

template class GramCache<float>;
template class GramCache<double>;
template class CodeSolver<float>;
template class CodeSolver<double>;
template struct Certificate<float>;
template struct Certificate<double>;
template Certificate<float> certify(const Matrix<float>&, const Eigen::Ref<const Vector<float>>&, float,
                                    const Eigen::Ref<const Vector<float>>&, const Penalty&,
                                    Eigen::Ref<Vector<float>>);
template Certificate<double> certify(const Matrix<double>&, const Eigen::Ref<const Vector<double>>&,
                                     double, const Eigen::Ref<const Vector<double>>&, const Penalty&,
                                     Eigen::Ref<Vector<double>>);

template Certificate<float> certify_from_gradient(const Eigen::Ref<const Vector<float>>&, float,
                                                  const Eigen::Ref<const Vector<float>>&,
                                                  const Penalty&, Eigen::Ref<Vector<float>>);
template Certificate<double> certify_from_gradient(const Eigen::Ref<const Vector<double>>&, double,
                                                   const Eigen::Ref<const Vector<double>>&,
                                                   const Penalty&, Eigen::Ref<Vector<double>>);

}  // namespace sparsecode::solvers
