// Feature-sign search: active-set sign guessing with exact QP solves and a discrete line search.
#include "sparsecode/solvers/internal/feature_sign_solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sparsecode::solvers {

void FeatureSignOptions::validate() const {
  if (max_iterations < 0) {
    throw std::invalid_argument("FeatureSignOptions.max_iterations must be >= 0, got " +
                                std::to_string(max_iterations));
  }
  if (!(kkt_tolerance >= 0.0 && kkt_tolerance < 1.0)) {
    throw std::invalid_argument("FeatureSignOptions.kkt_tolerance must be in [0, 1), got " +
                                std::to_string(kkt_tolerance));
  }
  if (!(pivot_tolerance > 0.0 && pivot_tolerance < 1.0)) {
    throw std::invalid_argument("FeatureSignOptions.pivot_tolerance must be in (0, 1), got " +
                                std::to_string(pivot_tolerance));
  }
}

template <class T>
internal::FeatureSign<T>::FeatureSign(const Penalty& penalty, const FeatureSignOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void internal::FeatureSign<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  chol_.reserve(k);
  grad_.setZero(k);
  target_.setZero(k);
  coef_.setZero(k);
  theta_.setZero(k);
  active_grad_.setZero(k);
  active_.clear();
  active_.reserve(static_cast<std::size_t>(k));
  is_active_.assign(static_cast<std::size_t>(k), 0);
}

template <class T>
bool internal::FeatureSign<T>::prune_zeros() {
  bool removed = false;
  for (Index i = static_cast<Index>(active_.size()); i-- > 0;) {
    if (coef_(i) != 0) continue;
    chol_.remove(i);
    const Index m = static_cast<Index>(active_.size());
    for (Index l = i; l + 1 < m; ++l) {
      coef_(l) = coef_(l + 1);
      theta_(l) = theta_(l + 1);
    }
    is_active_[static_cast<std::size_t>(active_[static_cast<std::size_t>(i)])] = 0;
    active_.erase(active_.begin() + i);
    removed = true;
  }
  return removed;
}

template <class T>
bool internal::FeatureSign<T>::line_search(const Eigen::Ref<const Vector<T>>& dtx, Eigen::Ref<Vector<T>> code) {
  const Matrix<T>& g = cache_->gram();
  const T lambda = static_cast<T>(penalty_.lambda);
  const T mu = static_cast<T>(penalty_.lambda2);
  const Index m = static_cast<Index>(active_.size());
  // ∇_A at the current point, O(m²) from the Gram block.
  for (Index i = 0; i < m; ++i) {
    const Index ai = active_[static_cast<std::size_t>(i)];
    T s = mu * coef_(i) - dtx(ai);
    const auto column = g.col(ai);  // G is symmetric: read G_{A,ai} down one column
    for (Index l = 0; l < m; ++l) s += column(active_[static_cast<std::size_t>(l)]) * coef_(l);
    active_grad_(i) = s;
  }
  auto delta = target_.head(m);
  delta -= coef_.head(m);
  // Along a + τδ the smooth part changes by τ∇ᵀδ + ½τ²δᵀHδ, and Hδ = −λθ − ∇_A because the
  // target solves H a* = c_A − λθ_A.
  const T slope = active_grad_.head(m).dot(delta);
  const T curvature = -delta.dot(lambda * theta_.head(m) + active_grad_.head(m));
  const T l1_now = coef_.head(m).template lpNorm<1>();
  auto change = [&](T tau) {
    T l1 = 0;
    for (Index i = 0; i < m; ++i) l1 += std::abs(coef_(i) + tau * delta(i));
    return tau * slope + T(0.5) * tau * tau * curvature + lambda * (l1 - l1_now);
  };
  // Candidates: the full step and every zero crossing strictly inside (0, 1). With a ≥ 0 the
  // objective is +∞ past the first crossing, so the step stops there.
  const bool nonneg = penalty_.sign == CodeSign::nonnegative;
  T best_tau = 1;
  T best = nonneg ? T(1) : change(T(1));  // for a ≥ 0: the smallest crossing
  Index best_zero = -1;
  for (Index i = 0; i < m; ++i) {
    if (coef_(i) * delta(i) >= 0) continue;
    const T tau = -coef_(i) / delta(i);
    if (!(tau < 1)) continue;
    const T value = nonneg ? tau : change(tau);
    if (value < best) {
      best = value;
      best_tau = tau;
      best_zero = i;
    }
  }
  if (nonneg) {
    best_tau = best;
  }
  bool changed = false;
  for (Index i = 0; i < m; ++i) {
    T a = (i == best_zero) ? T(0) : coef_(i) + best_tau * delta(i);
    if (nonneg && a < 0) a = 0;  // round-off below an exact zero crossing
    const T sign = a > 0 ? T(1) : (a < 0 ? T(-1) : T(0));
    if (sign != theta_(i)) changed = true;
    if (sign != 0) theta_(i) = sign;
    coef_(i) = a;
    code(active_[static_cast<std::size_t>(i)]) = a;
  }
  return prune_zeros() || changed;
}

template <class T>
SampleResult internal::FeatureSign<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T /*x_norm2*/,
                                   Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("FeatureSign::solve called before prepare");
  const Matrix<T>& g = cache_->gram();
  const Index k = g.rows();
  if (dtx.size() != k || code.size() != k) {
    throw std::invalid_argument("FeatureSign::solve: dtx and code must have length k = " + std::to_string(k));
  }
  const T lambda = static_cast<T>(penalty_.lambda);
  const T mu = static_cast<T>(penalty_.lambda2);
  const bool nonneg = penalty_.sign == CodeSign::nonnegative;
  const T pivot_tol = internal::effective_pivot_tolerance<T>(options_.pivot_tolerance);
  const T scale = std::max(lambda, dtx.cwiseAbs().maxCoeff());
  const T slack = std::max(static_cast<T>(options_.kkt_tolerance),
                           T(10) * std::numeric_limits<T>::epsilon()) * scale;
  const int max_iterations = options_.max_iterations > 0 ? options_.max_iterations : static_cast<int>(10 * k + 10);

  // The warm start's support and signs form the first active set; atoms dependent on earlier
  // ones (and, for a ≥ 0, negative entries) are zeroed.
  active_.clear();
  chol_.clear();
  std::fill(is_active_.begin(), is_active_.end(), 0);
  for (Index j = 0; j < k; ++j) {
    const T a = code(j);
    if (a == 0) continue;
    if (!std::isfinite(a) || (nonneg && a < 0) || !chol_.append(g, active_, j, mu, pivot_tol)) {
      code(j) = 0;
      continue;
    }
    const Index m = static_cast<Index>(active_.size());
    coef_(m) = a;
    theta_(m) = a > 0 ? T(1) : T(-1);
    active_.push_back(j);
    is_active_[static_cast<std::size_t>(j)] = 1;
  }
  bool need_qp = !active_.empty();

  SampleResult result;
  int iterations = 0;
  while (true) {
    if (!need_qp) {
      // All active coefficients satisfy ∇_j = −λθ_j exactly; look for the most violating zero.
      grad_ = -dtx;
      for (std::size_t i = 0; i < active_.size(); ++i) {
        const Index ai = active_[i];
        grad_.noalias() += coef_(static_cast<Index>(i)) * g.col(ai);
        grad_(ai) += mu * coef_(static_cast<Index>(i));
      }
      Index j = -1;
      T worst = lambda + slack;
      for (Index l = 0; l < k; ++l) {
        if (is_active_[static_cast<std::size_t>(l)]) continue;
        const T v = nonneg ? -grad_(l) : std::abs(grad_(l));
        if (v > worst) {
          worst = v;
          j = l;
        }
      }
      if (j < 0) break;  // KKT holds: converged
      const T theta_j = grad_(j) > 0 ? T(-1) : T(1);
      if (!chol_.append(g, active_, j, mu, pivot_tol)) {
        // d_j (+ the ridge) is a combination β of the active atoms: moving along
        // δ = θ_j(e_j − β) keeps Da fixed and lowers λ‖a‖₁ (since |∇_j| > λ), until an
        // active coefficient reaches zero and j can take its place.
        const Index m = static_cast<Index>(active_.size());
        auto beta = target_.head(m);
        for (Index i = 0; i < m; ++i) beta(i) = g(active_[static_cast<std::size_t>(i)], j);
        chol_.solve_in_place(beta);
        T tau = std::numeric_limits<T>::infinity();
        Index hit = -1;
        for (Index i = 0; i < m; ++i) {
          const T d = -theta_j * beta(i);
          if (coef_(i) * d < 0 && -coef_(i) / d < tau) {
            tau = -coef_(i) / d;
            hit = i;
          }
        }
        if (hit < 0 || ++iterations > max_iterations) {
          result.termination = hit < 0 ? SampleTermination::numerical_issue : SampleTermination::max_iterations;
          break;
        }
        for (Index i = 0; i < m; ++i) {
          coef_(i) = i == hit ? T(0) : coef_(i) - tau * theta_j * beta(i);
          code(active_[static_cast<std::size_t>(i)]) = coef_(i);
        }
        prune_zeros();
        if (!chol_.append(g, active_, j, mu, pivot_tol)) {
          result.termination = SampleTermination::numerical_issue;
          break;
        }
        code(j) = theta_j * tau;
      }
      const Index m = static_cast<Index>(active_.size());
      coef_(m) = code(j);
      theta_(m) = theta_j;
      active_.push_back(j);
      is_active_[static_cast<std::size_t>(j)] = 1;
    }
    if (++iterations > max_iterations) {
      result.termination = SampleTermination::max_iterations;
      break;
    }
    // Feature-sign step: the QP with the signs θ fixed, a* = (G_AA + λ₂I)⁻¹(c_A − λθ_A).
    const Index m = static_cast<Index>(active_.size());
    for (Index i = 0; i < m; ++i) target_(i) = dtx(active_[static_cast<std::size_t>(i)]) - lambda * theta_(i);
    chol_.solve_in_place(target_.head(m));
    need_qp = line_search(dtx, code);
  }
  result.iterations = std::min(iterations, max_iterations);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> internal::FeatureSign<T>::clone() const {
  return std::make_unique<FeatureSign<T>>(*this);
}

template class internal::FeatureSign<float>;
template class internal::FeatureSign<double>;

}  // namespace sparsecode::solvers
