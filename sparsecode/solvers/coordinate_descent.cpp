// Coordinate descent implementation: exact coordinate minimisation with an incrementally maintained gradient.
#include "sparsecode/solvers/internal/coordinate_descent_solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/solvers/face_polish.hpp"

namespace sparsecode::solvers {

void CoordinateDescentOptions::validate() const {
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("CoordinateDescentOptions.tolerance must be a finite value > 0, got " +
                                std::to_string(tolerance));
  }
  if (max_sweeps <= 0) {
    throw std::invalid_argument("CoordinateDescentOptions.max_sweeps must be > 0, got " +
                                std::to_string(max_sweeps));
  }
}

template <class T>
internal::CoordinateDescent<T>::CoordinateDescent(const Penalty& penalty, const CoordinateDescentOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void internal::CoordinateDescent<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  g_.resize(k);
  grad_.resize(k);
  diagonal_ = cache.gram().diagonal();
  active_.reserve(static_cast<std::size_t>(k));
  gram_active_.resize(k * k);
  g_active_.resize(k);
  a_active_.resize(k);
  a_start_.resize(k);
  chol_.resize(k * k);
  face_.resize(k);
  inverse_diagonal_.resize(k);
  face_index_.reserve(static_cast<std::size_t>(k));
}

template <class T>
T internal::CoordinateDescent<T>::coordinate_minimizer(T z, T curvature) const {
  const T lambda = static_cast<T>(penalty_.lambda);
  if (!(curvature > T(0))) return T(0);
  if (z > lambda) return (z - lambda) / curvature;
  if (z < -lambda && penalty_.sign != CodeSign::nonnegative) return (z + lambda) / curvature;
  return T(0);
}

template <class T>
T internal::CoordinateDescent<T>::full_sweep(Eigen::Ref<Vector<T>> code, bool& support_grew) {
  const Matrix<T>& gram = cache_->gram();
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const Index k = gram.rows();
  T decrease = 0;
  support_grew = false;
  active_.clear();
  for (Index j = 0; j < k; ++j) {
    const T curvature = diagonal_(j) + lambda2;
    const T old = code(j);
    const T next = coordinate_minimizer(g_(j) + diagonal_(j) * old, curvature);
    const T delta = next - old;
    if (delta != T(0)) {
      g_.noalias() -= delta * gram.col(j);
      code(j) = next;
      decrease += T(0.5) * curvature * delta * delta;
      if (old == T(0)) support_grew = true;
    }
    if (next != T(0)) active_.push_back(j);
  }
  return decrease;
}

template <class T>
bool internal::CoordinateDescent<T>::face_step(const Eigen::Ref<const Vector<T>>& dtx, Index s) {
  const T lambda = static_cast<T>(penalty_.lambda);
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  face_index_.clear();
  for (Index q = 0; q < s; ++q) {
    if (a_active_(q) != T(0)) face_index_.push_back(q);
  }
  const Index m = static_cast<Index>(face_index_.size());
  if (m == 0) return false;
  // (G_SS + λ₂I) z = c_S − λσ on the compact block, by Cholesky (a singular face is left to CD).
  for (Index r = 0; r < m; ++r) {
    const Index q = face_index_[static_cast<std::size_t>(r)];
    const T sign = a_active_(q) > T(0) ? T(1) : T(-1);
    face_(r) = dtx(active_[static_cast<std::size_t>(q)]) - lambda * sign;
  }
  if (!solve_face_system(gram_active_.data(), s, face_index_.data(), m, lambda2, chol_.data(),
                         inverse_diagonal_.data(), face_.data())) {
    return false;
  }
  // f restricted to the closed orthant of σ is the quadratic whose minimiser is face_, so f
  // decreases along a → face_ up to the first coordinate that reaches zero (feature-sign
  // search's line search): move there and drop that coordinate, or take the whole step.
  T step = T(1);
  for (Index r = 0; r < m; ++r) {
    const T old = a_active_(face_index_[static_cast<std::size_t>(r)]);
    if (!(face_(r) * old > T(0))) step = std::min(step, old / (old - face_(r)));
  }
  const bool whole = step == T(1);
  for (Index r = 0; r < m; ++r) {
    const Index q = face_index_[static_cast<std::size_t>(r)];
    const T old = a_active_(q);
    T next = whole ? face_(r) : old + step * (face_(r) - old);
    if (!whole && !(face_(r) * old > T(0)) && old / (old - face_(r)) <= step) next = T(0);
    face_(r) = next - old;  // the solution is no longer needed: keep the change
    a_active_(q) = next;
  }
  // g_A −= G_{A,S}·δ_S in one pass over g_A.
  internal::weighted_column_sum(gram_active_.data(), s, face_index_.data(), face_.data(), m, s, g_active_.data(),
                      internal::SubtractSum{});
  return whole;
}

template <class T>
int internal::CoordinateDescent<T>::active_phase(Eigen::Ref<Vector<T>> code, const Eigen::Ref<const Vector<T>>& dtx,
                                       T threshold, int budget) {
  const Matrix<T>& gram = cache_->gram();
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const Index s = static_cast<Index>(active_.size());
  if (s == 0 || budget <= 0) return 0;
  Eigen::Map<Matrix<T>> gaa(gram_active_.data(), s, s);
  for (Index q = 0; q < s; ++q) {
    const Index jq = active_[static_cast<std::size_t>(q)];
    for (Index p = 0; p < s; ++p) gaa(p, q) = gram(active_[static_cast<std::size_t>(p)], jq);
    g_active_(q) = g_(jq);
    a_active_(q) = code(jq);
  }
  a_start_.head(s) = a_active_.head(s);
  int sweeps = 0;
  while (sweeps < budget) {
    ++sweeps;
    T decrease = 0;
    bool pattern_changed = false;
    for (Index q = 0; q < s; ++q) {
      const T gqq = gaa(q, q);
      const T curvature = gqq + lambda2;
      const T old = a_active_(q);
      const T next = coordinate_minimizer(g_active_(q) + gqq * old, curvature);
      const T delta = next - old;
      if (delta != T(0)) {
        g_active_.head(s).noalias() -= delta * gaa.col(q);
        a_active_(q) = next;
        decrease += T(0.5) * curvature * delta * delta;
        if ((old > T(0)) != (next > T(0)) || (old < T(0)) != (next < T(0))) pattern_changed = true;
      }
    }
    if (decrease <= threshold) break;
    if (!pattern_changed && face_step(dtx, s)) break;
  }
  // Bring the full gradient up to date: g −= G_{:,A}(a_A − a_A,start), in one pass over g.
  for (Index q = 0; q < s; ++q) {
    a_start_(q) = a_active_(q) - a_start_(q);  // now the change
    code(active_[static_cast<std::size_t>(q)]) = a_active_(q);
  }
  internal::weighted_column_sum(gram.data(), gram.rows(), active_.data(), a_start_.data(), s, gram.rows(), g_.data(),
                      internal::SubtractSum{});
  return sweeps;
}

template <class T>
SampleResult internal::CoordinateDescent<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                         Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("CoordinateDescent: prepare() was not called");
  const Matrix<T>& gram = cache_->gram();
  const T tolerance = std::max(static_cast<T>(options_.tolerance),
                               T(64) * std::numeric_limits<T>::epsilon());
  if (penalty_.sign == CodeSign::nonnegative) code = code.cwiseMax(T(0));
  // g = c − Ga, computed from the support only (cold starts have none).
  g_ = dtx;
  for (Index j = 0; j < code.size(); ++j) {
    if (code(j) != T(0)) g_.noalias() -= code(j) * gram.col(j);
  }
  auto converged = [&]() {
    grad_ = g_;
    return certify_from_gradient<T>(dtx, x_norm2, code, penalty_, grad_).relative_gap() <= tolerance;
  };

  SampleResult result;
  // Objective decrease per active sweep below which the active set is deemed converged.
  T threshold = T(0);
  int sweeps = 0;
  while (sweeps < options_.max_sweeps) {
    bool grew = false;
    const T decrease = full_sweep(code, grew);
    result.iterations = ++sweeps;
    if (converged()) {
      result.termination = SampleTermination::converged;
      return result;
    }
    if (decrease == T(0)) {
      // A full sweep moved nothing (a fixed point of CD, i.e. the optimum), yet the gap is
      // above tolerance: the round-off bound of the certificate has been reached.
      result.termination = SampleTermination::numerical_issue;
      return result;
    }
    if (sweeps == 1) {
      threshold = tolerance * T(0.5) * x_norm2;
    } else if (!grew) {
      threshold *= T(0.1);  // the support is stable: solve the active problem more tightly
    }
    const int done = active_phase(code, dtx, threshold, options_.max_sweeps - sweeps);
    if (done > 0) {
      sweeps += done;
      result.iterations = sweeps;
      if (converged()) {
        result.termination = SampleTermination::converged;
        return result;
      }
    }
  }
  result.termination = SampleTermination::max_iterations;
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> internal::CoordinateDescent<T>::clone() const {
  return std::make_unique<CoordinateDescent<T>>(*this);
}

template class internal::CoordinateDescent<float>;
template class internal::CoordinateDescent<double>;

}  // namespace sparsecode::solvers
