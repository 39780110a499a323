// Coordinate descent implementation: exact coordinate minimisation with an incrementally maintained gradient.
#include "solvers/coordinate_descent.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

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
CoordinateDescent<T>::CoordinateDescent(const Penalty& penalty, const CoordinateDescentOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void CoordinateDescent<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  g_.resize(cache.atoms());
  grad_.resize(cache.atoms());
  active_.reserve(static_cast<std::size_t>(cache.atoms()));
}

template <class T>
T CoordinateDescent<T>::sweep(Eigen::Ref<Vector<T>> code, bool full, bool& support_grew) {
  const Matrix<T>& gram = cache_->gram();
  const T lambda = static_cast<T>(penalty_.lambda);
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const bool nonnegative = penalty_.sign == CodeSign::nonnegative;
  const Index k = gram.rows();
  const Index count = full ? k : static_cast<Index>(active_.size());
  T decrease = 0;
  support_grew = false;
  for (Index i = 0; i < count; ++i) {
    const Index j = full ? i : active_[static_cast<std::size_t>(i)];
    const T curvature = gram(j, j) + lambda2;
    const T old = code(j);
    T next = 0;
    if (curvature > T(0)) {
      const T z = g_(j) + gram(j, j) * old;
      if (z > lambda) {
        next = (z - lambda) / curvature;
      } else if (z < -lambda && !nonnegative) {
        next = (z + lambda) / curvature;
      }
    }
    const T delta = next - old;
    if (delta != T(0)) {
      g_.noalias() -= delta * gram.col(j);
      code(j) = next;
      decrease += T(0.5) * curvature * delta * delta;
      if (old == T(0)) support_grew = true;
    }
  }
  if (full || support_grew) {
    active_.clear();
    for (Index j = 0; j < k; ++j) {
      if (code(j) != T(0)) active_.push_back(j);
    }
  }
  return decrease;
}

template <class T>
SampleResult CoordinateDescent<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
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
  bool full = true;
  for (int s = 1; s <= options_.max_sweeps; ++s) {
    bool grew = false;
    const T decrease = sweep(code, full, grew);
    result.iterations = s;
    if (converged()) {
      result.termination = SampleTermination::converged;
      return result;
    }
    if (full) {
      if (decrease == T(0)) {
        // A full sweep moved nothing (a fixed point of CD, i.e. the optimum), yet the gap is
        // above tolerance: the round-off bound of the certificate has been reached.
        result.termination = SampleTermination::numerical_issue;
        return result;
      }
      if (s == 1) {
        threshold = tolerance * T(0.5) * x_norm2;
      } else if (!grew) {
        threshold *= T(0.1);  // the support is stable: solve the active problem more tightly
      }
      full = false;
    } else if (decrease <= threshold) {
      full = true;
    }
  }
  result.termination = SampleTermination::max_iterations;
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> CoordinateDescent<T>::clone() const {
  return std::make_unique<CoordinateDescent<T>>(*this);
}

template class CoordinateDescent<float>;
template class CoordinateDescent<double>;

}  // namespace sparsecode::solvers
