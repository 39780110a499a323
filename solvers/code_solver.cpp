// Shared solver pieces: penalty validation, the Gram cache, the default block loop and the duality-gap certificate.
#include "solvers/code_solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

template <class T>
Certificate<T> certify_from_gradient(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                     const Eigen::Ref<const Vector<T>>& code, const Penalty& penalty,
                                     Eigen::Ref<Vector<T>> grad) {
  const T lambda = static_cast<T>(penalty.lambda);
  const T lambda2 = static_cast<T>(penalty.lambda2);
  const T ctA = dtx.dot(code);
  // ‖r‖² = ‖x‖² − 2cᵀa + aᵀGa, with aᵀGa = cᵀa − aᵀ(Dᵀr).
  const T aGa = ctA - code.dot(grad);
  const T a_norm2 = code.squaredNorm();
  T r_norm2 = std::max(T(0), x_norm2 - 2 * ctA + aGa) + lambda2 * a_norm2;
  grad -= lambda2 * code;  // D̃ᵀr̃ for the elastic net's augmented problem
  Certificate<T> c;
  // With the augmented residual, ½‖r̃‖² = ½‖x − Da‖² + ½λ₂‖a‖².
  c.objective = T(0.5) * r_norm2 + lambda * code.template lpNorm<1>();
  const T xr = x_norm2 - ctA;  // xᵀr (the augmented part of x is zero)
  const bool nonneg = penalty.sign == CodeSign::nonnegative;
  const T bound = nonneg ? std::max(T(0), grad.maxCoeff()) : grad.cwiseAbs().maxCoeff();
  const T s = bound > lambda ? lambda / bound : T(1);
  c.dual = s * xr - T(0.5) * s * s * r_norm2;
  // Least-norm subgradient v of f at a: −(D̃ᵀr̃)_j + λ·sign(a_j) on the support; off it the
  // part of |(D̃ᵀr̃)_j| beyond λ (for a ≥ 0 only its positive part, the normal cone absorbing the rest).
  T v_max = 0;
  T v_norm2 = 0;
  for (Index j = 0; j < grad.size(); ++j) {
    const T g = grad(j);
    T v;
    if (code(j) > T(0)) v = std::abs(g - lambda);
    else if (code(j) < T(0)) v = std::abs(g + lambda);
    else v = std::max(T(0), (nonneg ? g : std::abs(g)) - lambda);
    v_max = std::max(v_max, v);
    v_norm2 += v * v;
  }
  const T c_max = dtx.size() > 0 ? dtx.cwiseAbs().maxCoeff() : T(0);
  c.stationarity = v_max / std::max(c_max, std::numeric_limits<T>::min());
  if (lambda2 > T(0)) c.dual = std::max(c.dual, c.objective - v_norm2 / (T(2) * lambda2));
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
