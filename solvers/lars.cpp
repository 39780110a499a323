// LARS-Lasso homotopy: the piecewise-linear LASSO path from λ_max down to λ, in Gram form.
#include "solvers/lars.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "solvers/find_first.hpp"

namespace sparsecode::solvers {

namespace {

enum AtomState : char { inactive = 0, active = 1, skipped = 2 };

enum class Event { stop, add, drop };

// Whether an inactive atom with correlation c and direction u reaches +t before −t as the
// bound t decreases: γ⁺ = (t − c)/(1 − u) ≤ γ⁻ = (t + c)/(1 + u) ⇔ c ≥ t·u when both
// denominators are positive; a clamped (≤ 0) numerator means γ⁺ = 0. Bitwise operators keep
// the caller's loop free of branches.
template <class T>
inline bool reaches_plus_first(T t, T c, T u) {
  return (T(1) - u > 0) & (!(T(1) + u > 0) | (c >= t * u) | (t - c <= 0));
}

}  // namespace

void LarsOptions::validate() const {
  if (max_steps < 0) {
    throw std::invalid_argument("LarsOptions.max_steps must be >= 0, got " + std::to_string(max_steps));
  }
  if (!(pivot_tolerance > 0.0 && pivot_tolerance < 1.0)) {
    throw std::invalid_argument("LarsOptions.pivot_tolerance must be in (0, 1), got " +
                                std::to_string(pivot_tolerance));
  }
}

template <class T>
LarsLasso<T>::LarsLasso(const Penalty& penalty, const LarsOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void LarsLasso<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  chol_.reserve(k);
  columns_.reserve(k, k);
  corr_.setZero(k);
  direction_.setZero(k);
  steps_.setZero(k);
  blocked_.setZero(k);
  weights_.setZero(k);
  signs_.setZero(k);
  projected_signs_.setZero(k);
  active_coef_.setZero(k);
  active_.clear();
  active_.reserve(static_cast<std::size_t>(k));
  state_.assign(static_cast<std::size_t>(k), inactive);
}

template <class T>
void LarsLasso<T>::set_state(Index atom, char state) {
  state_[static_cast<std::size_t>(atom)] = state;
  blocked_(atom) = state == inactive ? T(0) : std::numeric_limits<T>::infinity();
}

template <class T>
void LarsLasso<T>::restore_states(bool skipped_any) {
  if (skipped_any) {
    std::fill(state_.begin(), state_.end(), inactive);
    blocked_.setZero();
    return;
  }
  for (const Index atom : active_) set_state(atom, inactive);
}

template <class T>
T LarsLasso<T>::first_entry(T t, T gamma, bool nonneg, Index& who, T& who_sign) {
  // The correlation c_j − γu_j of an inactive atom meets the bound t − γ at
  // γ⁺ = (t − c_j)/(1 − u_j) and −(t − γ) at γ⁻ = (t + c_j)/(1 + u_j), when the denominator is
  // positive; reaches_plus_first picks the smaller one, so one division per atom suffices.
  // Numerators are clamped at 0 so that ties (atoms already at the bound through round-off)
  // enter with γ = 0. The loop has no branches, so that it vectorises; blocked_ (+∞ for active
  // and skipped atoms) masks the atoms that may not enter.
  const Index k = corr_.size();
  const T inf = std::numeric_limits<T>::infinity();
  const T* u = direction_.data();
  const T* c = corr_.data();
  const T* blocked = blocked_.data();
  T* steps = steps_.data();
  if (nonneg) {
    for (Index j = 0; j < k; ++j) {
      const T den = T(1) - u[j];
      const T step = den > 0 ? std::max(T(0), t - c[j]) / den : inf;
      steps[j] = std::max(step, blocked[j]);
    }
  } else {
    for (Index j = 0; j < k; ++j) {
      const bool plus = reaches_plus_first(t, c[j], u[j]);
      const T num = plus ? t - c[j] : t + c[j];
      const T den = plus ? T(1) - u[j] : T(1) + u[j];
      const T step = den > 0 ? std::max(T(0), num) / den : inf;
      steps[j] = std::max(step, blocked[j]);
    }
  }
  const T best = steps_.minCoeff();
  if (!(best < gamma)) return gamma;
  // The first atom reaching the bound, as a sequential scan would find it.
  const Index j = find_first(steps, k, best);
  who = j;
  who_sign = nonneg || reaches_plus_first(t, c[j], u[j]) ? T(1) : T(-1);
  return best;
}

template <class T>
SampleResult LarsLasso<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T /*x_norm2*/,
                                 Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("LarsLasso::solve called before prepare");
  const Matrix<T>& g = cache_->gram();
  const Index k = g.rows();
  if (dtx.size() != k || code.size() != k) {
    throw std::invalid_argument("LarsLasso::solve: dtx and code must have length k = " + std::to_string(k));
  }
  const T lambda = static_cast<T>(penalty_.lambda);
  const T mu = static_cast<T>(penalty_.lambda2);
  const bool nonneg = penalty_.sign == CodeSign::nonnegative;
  const T pivot_tol = effective_pivot_tolerance<T>(options_.pivot_tolerance);
  const int max_steps = options_.max_steps > 0 ? options_.max_steps : static_cast<int>(4 * k);

  code.setZero();
  corr_ = dtx;
  active_.clear();
  chol_.clear();
  columns_.clear();
  // state_ is all inactive and blocked_ all 0 here: prepare() sets them so and every solve
  // restores them before returning (restore_states), so no O(k) reset is needed.

  // λ_max: the bound t starts at the largest (positive, for LARS-positive) correlation; the
  // first atom attaining it enters.
  const T t0 = nonneg ? corr_.maxCoeff() : corr_.cwiseAbs().maxCoeff();
  SampleResult result;
  if (!(t0 > lambda)) return result;  // a = 0 satisfies the KKT conditions
  T t = t0;
  Index entering = 0;
  while ((nonneg ? corr_(entering) : std::abs(corr_(entering))) != t) ++entering;
  T entering_sign = corr_(entering) > 0 ? T(1) : T(-1);

  bool skipped_any = false;
  Index just_dropped = -1;
  int steps = 0;
  while (true) {
    if (entering >= 0) {
      if (chol_.append(g, active_, entering, mu, pivot_tol)) {
        const Index m = static_cast<Index>(active_.size());
        active_.push_back(entering);
        columns_.append(g.col(entering));
        signs_(m) = entering_sign;
        projected_signs_(m) = chol_.extend_transposed_solution(projected_signs_.head(m), entering_sign);
        active_coef_(m) = 0;
        set_state(entering, active);
      } else {
        // d_j lies in the span of the active atoms (duplicate or collinear): its correlation
        // then moves with theirs and stays within the bound, so leaving it out is optimal.
        set_state(entering, skipped);
        skipped_any = true;
      }
      entering = -1;
    }
    if (steps >= max_steps) {
      result.termination = SampleTermination::max_iterations;
      break;
    }
    ++steps;

    // Equiangular direction: a_A(γ) = a_A + γw with (G_AA + λ₂I)w = s_A, and the inactive
    // correlations decrease by γu with u = G_{·A}w while the bound decreases by γ.
    const Index m = static_cast<Index>(active_.size());
    weights_.head(m) = projected_signs_.head(m);
    chol_.solve_upper_in_place(weights_.head(m));
    columns_.multiply(weights_.head(m), direction_);

    T gamma = t - lambda;
    Event event = Event::stop;
    Index who = -1;
    T who_sign = 1;
    // Lasso modification: an active coefficient reaching zero leaves the set.
    for (Index i = 0; i < m; ++i) {
      const T a = active_coef_(i);
      const T w = weights_(i);
      if (a * w < 0) {
        const T step = -a / w;
        if (step < gamma) {
          gamma = step;
          event = Event::drop;
          who = i;
        }
      }
    }
    // An inactive atom whose correlation reaches ±(t − γ) joins; the atom that has just left
    // sits exactly at the bound and may not re-enter at γ = 0.
    if (just_dropped >= 0) blocked_(just_dropped) = std::numeric_limits<T>::infinity();
    const T entry = first_entry(t, gamma, nonneg, who, who_sign);
    if (entry < gamma) {
      gamma = entry;
      event = Event::add;
    }
    if (just_dropped >= 0) blocked_(just_dropped) = T(0);

    t -= gamma;
    active_coef_.head(m).noalias() += gamma * weights_.head(m);
    corr_.noalias() -= gamma * direction_;
    just_dropped = -1;
    if (event == Event::stop) break;
    if (event == Event::add) {
      entering = who;
      entering_sign = who_sign;
      continue;
    }
    // Drop: remove position `who` from A and from the factor; its correlation is exactly ±t.
    const Index atom = active_[static_cast<std::size_t>(who)];
    corr_(atom) = t * signs_(who);
    chol_.remove(who);
    columns_.remove(who);
    for (Index i = who; i + 1 < m; ++i) {
      signs_(i) = signs_(i + 1);
      active_coef_(i) = active_coef_(i + 1);
    }
    active_.erase(active_.begin() + who);
    projected_signs_.head(m - 1) = signs_.head(m - 1);
    chol_.solve_transposed_in_place(projected_signs_.head(m - 1));
    set_state(atom, inactive);
    just_dropped = atom;
    // A smaller active set may no longer span a skipped atom: let it compete again.
    if (skipped_any) {
      for (Index j = 0; j < k; ++j) {
        if (state_[static_cast<std::size_t>(j)] == skipped) set_state(j, inactive);
      }
    }
  }

  const Index m = static_cast<Index>(active_.size());
  if (result.termination == SampleTermination::converged) {
    // At t = λ the active coefficients solve (G_AA + λ₂I)a_A = c_A − λs_A; solving it directly
    // removes the round-off accumulated along the path. A coefficient that lands on the wrong
    // side of zero (a kink exactly at λ) is 0 up to round-off.
    for (Index i = 0; i < m; ++i) active_coef_(i) = dtx(active_[static_cast<std::size_t>(i)]) - lambda * signs_(i);
    chol_.solve_in_place(active_coef_.head(m));
    for (Index i = 0; i < m; ++i) {
      if (active_coef_(i) * signs_(i) < 0) active_coef_(i) = 0;
    }
  }
  for (Index i = 0; i < m; ++i) code(active_[static_cast<std::size_t>(i)]) = active_coef_(i);
  result.iterations = steps;

  if (skipped_any && result.termination == SampleTermination::converged) {
    // Skipping relies on the skipped atoms staying within the bound; verify it.
    corr_ = dtx;
    columns_.subtract_product(active_coef_.head(m), corr_);
    const T scale = std::max(lambda, dtx.cwiseAbs().maxCoeff());
    const T slack = std::sqrt(std::numeric_limits<T>::epsilon()) * scale;
    for (Index j = 0; j < k; ++j) {
      if (state_[static_cast<std::size_t>(j)] == active) continue;
      const T v = nonneg ? corr_(j) : std::abs(corr_(j));
      if (v > lambda + slack) {
        result.termination = SampleTermination::numerical_issue;
        break;
      }
    }
  }
  restore_states(skipped_any);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> LarsLasso<T>::clone() const {
  return std::make_unique<LarsLasso<T>>(*this);
}

template class LarsLasso<float>;
template class LarsLasso<double>;

}  // namespace sparsecode::solvers
