// LARS-Lasso homotopy: the piecewise-linear LASSO path from λ_max down to λ, in Gram form.
#include "sparsecode/solvers/internal/lars_lasso.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/solvers/internal/find_first.hpp"

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
  if (!(kkt_tolerance > 0.0 && kkt_tolerance <= 1e-6)) {
    throw std::invalid_argument("LarsOptions.kkt_tolerance must be in (0, 1e-6], got " +
                                std::to_string(kkt_tolerance));
  }
}

template <class T>
internal::LarsLasso<T>::LarsLasso(const Penalty& penalty, const LarsOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
template <class V>
void internal::LarsLasso<T>::PathVectors<V>::reserve(Index k) {
  columns.reserve(k, k);
  corr.setZero(k);
  direction.setZero(k);
  steps.setZero(k);
  blocked.setZero(k);
  weights.setZero(k);
  state.assign(static_cast<std::size_t>(k), inactive);
}

template <class T>
void internal::LarsLasso<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  chol_.reserve(k, internal::ActiveCholesky<T>::InverseFactor::kept);
  exact_.reserve(k);
  if (std::is_same_v<T, double> && options_.arithmetic == Arithmetic::mixed) {
    fast_.reserve(k);
    cache.gram_float();  // computed here, once for all threads, rather than inside the first solve
  }
  weights_.setZero(k);
  signs_.setZero(k);
  projected_signs_.setZero(k);
  active_coef_.setZero(k);
  gradient_.setZero(k);
  support_values_.setZero(k);
  support_.assign(static_cast<std::size_t>(k), 0);
  active_.clear();
  active_.reserve(static_cast<std::size_t>(k));
}

template <class T>
template <class V>
void internal::LarsLasso<T>::PathVectors<V>::set_state(Index atom, char new_state) {
  state[static_cast<std::size_t>(atom)] = new_state;
  blocked(atom) = new_state == inactive ? V(0) : std::numeric_limits<V>::infinity();
}

template <class T>
template <class V>
void internal::LarsLasso<T>::PathVectors<V>::restore_states(const std::vector<Index>& active, bool skipped_any) {
  if (skipped_any) {
    std::fill(state.begin(), state.end(), inactive);
    blocked.setZero();
    return;
  }
  for (const Index atom : active) set_state(atom, inactive);
}

template <class T>
template <class V>
V internal::LarsLasso<T>::PathVectors<V>::first_entry(V t, V gamma, bool nonneg, Index& who, T& who_sign) {
  // The correlation c_j − γu_j of an inactive atom meets the bound t − γ at
  // γ⁺ = (t − c_j)/(1 − u_j) and −(t − γ) at γ⁻ = (t + c_j)/(1 + u_j), when the denominator is
  // positive; reaches_plus_first picks the smaller one, so one division per atom suffices.
  // Numerators are clamped at 0 so that ties (atoms already at the bound through round-off)
  // enter with γ = 0. The loop has no branches, so that it vectorises; `blocked` (+∞ for
  // active and skipped atoms) masks the atoms that may not enter.
  const Index k = corr.size();
  const V inf = std::numeric_limits<V>::infinity();
  const V* u = direction.data();
  const V* c = corr.data();
  const V* block = blocked.data();
  V* step_of = steps.data();
  if (nonneg) {
    for (Index j = 0; j < k; ++j) {
      const V den = V(1) - u[j];
      const V step = den > 0 ? std::max(V(0), t - c[j]) / den : inf;
      step_of[j] = std::max(step, block[j]);
    }
  } else {
    for (Index j = 0; j < k; ++j) {
      const bool plus = reaches_plus_first(t, c[j], u[j]);
      const V num = plus ? t - c[j] : t + c[j];
      const V den = plus ? V(1) - u[j] : V(1) + u[j];
      const V step = den > 0 ? std::max(V(0), num) / den : inf;
      step_of[j] = std::max(step, block[j]);
    }
  }
  const V best = steps.minCoeff();
  if (!(best < gamma)) return gamma;
  // The first atom reaching the bound, as a sequential scan would find it.
  const Index j = internal::find_first(step_of, k, best);
  who = j;
  who_sign = nonneg || reaches_plus_first(t, c[j], u[j]) ? T(1) : T(-1);
  return best;
}

template <class T>
SampleResult internal::LarsLasso<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                 Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("LarsLasso::solve called before prepare");
  const Index k = cache_->atoms();
  if (dtx.size() != k || code.size() != k) {
    throw std::invalid_argument("LarsLasso::solve: dtx and code must have length k = " + std::to_string(k));
  }
  if constexpr (std::is_same_v<T, double>) {
    if (options_.arithmetic == Arithmetic::mixed) {
      const SampleResult fast = follow_path(fast_, cache_->gram_float(), dtx, code);
      if (fast.termination == SampleTermination::converged && satisfies_kkt(dtx, x_norm2, code)) return fast;
    }
  }
  return follow_path(exact_, cache_->gram(), dtx, code);
}

template <class T>
bool internal::LarsLasso<T>::satisfies_kkt(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                 const Eigen::Ref<const Vector<T>>& code) {
  // The certificate's stationarity is the largest KKT violation (the least-norm subgradient)
  // relative to ‖c‖∞, which exceeds λ whenever the path ran.
  const Matrix<T>& g = cache_->gram();
  internal::sparse_gradient(g.data(), g.rows(), dtx.data(), code.data(), support_.data(), support_values_.data(),
                  gradient_.data());
  return certify_from_gradient<T>(dtx, x_norm2, code, penalty_, gradient_).stationarity <=
         static_cast<T>(options_.kkt_tolerance);
}

template <class T>
template <class V>
SampleResult internal::LarsLasso<T>::follow_path(PathVectors<V>& path, const Matrix<V>& gram_v,
                                       const Eigen::Ref<const Vector<T>>& dtx, Eigen::Ref<Vector<T>> code) {
  const Matrix<T>& g = cache_->gram();
  const Index k = g.rows();
  const T lambda = static_cast<T>(penalty_.lambda);
  const T mu = static_cast<T>(penalty_.lambda2);
  const bool nonneg = penalty_.sign == CodeSign::nonnegative;
  const T pivot_tol = internal::effective_pivot_tolerance<T>(options_.pivot_tolerance);
  const int max_steps = options_.max_steps > 0 ? options_.max_steps : static_cast<int>(4 * k);

  code.setZero();
  path.corr = dtx.template cast<V>();
  active_.clear();
  chol_.clear();
  path.columns.clear();
  // path.state is all inactive and path.blocked all 0 here: reserve() sets them so and every
  // path restores them before returning (restore_states), so no O(k) reset is needed.

  // λ_max: the bound t starts at the largest (positive, for LARS-positive) correlation; the
  // first atom attaining it enters.
  const T t0 = nonneg ? dtx.maxCoeff() : dtx.cwiseAbs().maxCoeff();
  SampleResult result;
  if (!(t0 > lambda)) return result;  // a = 0 satisfies the KKT conditions
  T t = t0;
  Index entering = 0;
  while ((nonneg ? dtx(entering) : std::abs(dtx(entering))) != t) ++entering;
  T entering_sign = dtx(entering) > 0 ? T(1) : T(-1);

  bool skipped_any = false;
  Index just_dropped = -1;
  int steps = 0;
  while (true) {
    if (entering >= 0) {
      if (chol_.append(g, active_, entering, mu, pivot_tol)) {
        const Index m = static_cast<Index>(active_.size());
        active_.push_back(entering);
        path.columns.append(gram_v.col(entering));
        signs_(m) = entering_sign;
        const T pm = chol_.extend_transposed_solution(projected_signs_.head(m), entering_sign);
        projected_signs_(m) = pm;
        // w = R⁻¹z with z = R⁻ᵀs gaining the entry pm: w gains pm times M's new column.
        const T* column = chol_.inverse_column(m);
        weights_(m) = 0;
        for (Index i = 0; i <= m; ++i) weights_(i) += pm * column[i];
        active_coef_(m) = 0;
        path.set_state(entering, active);
      } else {
        // d_j lies in the span of the active atoms (duplicate or collinear): its correlation
        // then moves with theirs and stays within the bound, so leaving it out is optimal.
        path.set_state(entering, skipped);
        skipped_any = true;
      }
      entering = -1;
    }
    if (steps >= max_steps) {
      result.termination = SampleTermination::max_iterations;
      break;
    }
    ++steps;

    // Equiangular direction: a_A(γ) = a_A + γw with (G_AA + λ₂I)w = s_A (kept up to date on
    // every add and drop), and the inactive correlations decrease by γu with u = G_{·A}w while
    // the bound decreases by γ.
    const Index m = static_cast<Index>(active_.size());
    path.weights.head(m) = weights_.head(m).template cast<V>();
    path.columns.multiply(path.weights.head(m), path.direction);

    T gamma = t - lambda;
    Event event = Event::stop;
    Index dropping = -1;
    // Lasso modification: an active coefficient reaching zero leaves the set.
    for (Index i = 0; i < m; ++i) {
      const T a = active_coef_(i);
      const T w = weights_(i);
      if (a * w < 0) {
        const T step = -a / w;
        if (step < gamma) {
          gamma = step;
          event = Event::drop;
          dropping = i;
        }
      }
    }
    // An inactive atom whose correlation reaches ±(t − γ) joins; the atom that has just left
    // sits exactly at the bound and may not re-enter at γ = 0.
    if (just_dropped >= 0) path.blocked(just_dropped) = std::numeric_limits<V>::infinity();
    Index joining = -1;
    T joining_sign = 1;
    const V entry = path.first_entry(static_cast<V>(t), static_cast<V>(gamma), nonneg, joining, joining_sign);
    if (joining >= 0) {
      gamma = static_cast<T>(entry);
      event = Event::add;
    }
    if (just_dropped >= 0) path.blocked(just_dropped) = V(0);

    t -= gamma;
    active_coef_.head(m).noalias() += gamma * weights_.head(m);
    path.corr.noalias() -= static_cast<V>(gamma) * path.direction;
    just_dropped = -1;
    if (event == Event::stop) break;
    if (event == Event::add) {
      entering = joining;
      entering_sign = joining_sign;
      continue;
    }
    // Drop: remove position `dropping` from A and from the factor; its correlation is exactly ±t.
    const Index atom = active_[static_cast<std::size_t>(dropping)];
    path.corr(atom) = static_cast<V>(t * signs_(dropping));
    chol_.remove(dropping);
    path.columns.remove(dropping);
    for (Index i = dropping; i + 1 < m; ++i) {
      signs_(i) = signs_(i + 1);
      active_coef_(i) = active_coef_(i + 1);
    }
    active_.erase(active_.begin() + dropping);
    projected_signs_.head(m - 1) = signs_.head(m - 1);
    chol_.solve_transposed_in_place(projected_signs_.head(m - 1));
    weights_.head(m - 1) = projected_signs_.head(m - 1);
    chol_.solve_upper_in_place(weights_.head(m - 1));
    path.set_state(atom, inactive);
    just_dropped = atom;
    // A smaller active set may no longer span a skipped atom: let it compete again.
    if (skipped_any) {
      for (Index j = 0; j < k; ++j) {
        if (path.state[static_cast<std::size_t>(j)] == skipped) path.set_state(j, inactive);
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
    // Skipping relies on the skipped atoms staying within the bound; verify it (in T).
    Vector<T>& corr = gradient_;
    corr = dtx;
    internal::weighted_column_sum(g.data(), k, active_.data(), active_coef_.data(), m, k, corr.data(), internal::SubtractSum{});
    const T scale = std::max(lambda, dtx.cwiseAbs().maxCoeff());
    const T slack = std::sqrt(std::numeric_limits<T>::epsilon()) * scale;
    for (Index j = 0; j < k; ++j) {
      if (path.state[static_cast<std::size_t>(j)] == active) continue;
      const T v = nonneg ? corr(j) : std::abs(corr(j));
      if (v > lambda + slack) {
        result.termination = SampleTermination::numerical_issue;
        break;
      }
    }
  }
  path.restore_states(active_, skipped_any);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> internal::LarsLasso<T>::clone() const {
  return std::make_unique<LarsLasso<T>>(*this);
}

template class internal::LarsLasso<float>;
template class internal::LarsLasso<double>;

}  // namespace sparsecode::solvers
