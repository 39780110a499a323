// ISTA/FISTA implementation: batched iterations with one GEMM per step, adaptive restart, gap-based stopping.
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"

#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/solvers/gap_safe_screening.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace sparsecode::solvers {

namespace {

// out = G·a for a column a of length n and the n×n matrix G stored column-major at `gram`, as
// Σ_j a_j G_{:,j} over a's support: n·nnz flops instead of n².
template <class T>
void sparse_gram_product(const T* gram, Index n, const T* a, Index* support, T* values, T* out) {
  const Index m = core::internal::compact_support(a, n, support, values);
  internal::weighted_column_sum(gram, n, support, values, m, n, out, internal::AssignSum{});
}

// The fixed quantities of one proximal step.
template <class T>
struct StepConstants {
  T step;       // 1/L
  T threshold;  // λ/L
  T shrink;     // 1/(1 + λ₂/L)
  bool nonneg;

  // For the Lipschitz bound L of the problem's smooth part.
  StepConstants(T lipschitz, const Penalty& penalty)
      : step(T(1) / std::max(lipschitz, std::numeric_limits<T>::min())),
        threshold(static_cast<T>(penalty.lambda) * step),
        shrink(T(1) / (T(1) + static_cast<T>(penalty.lambda2) * step)),
        nonneg(penalty.sign == CodeSign::nonnegative) {}
};

// One step on a column of length n, in one pass: y = a + β(a − a₋) and, G being linear,
// Gy = Ga + β(Ga − Ga₋) without a product; a⁺ = prox(y − (Gy − c)/L). Shifts a → a₋ and
// Ga → Ga₋ (Ga for a⁺ is left to the caller) and returns (y − a⁺)ᵀ(a⁺ − a) for the gradient
// restart test.
template <class T>
T proximal_step(Index n, T beta, const StepConstants<T>& k, T* a, T* a_prev, T* ga, T* ga_prev, const T* c) {
  // Lanes of a fixed-size Eigen array: without -ffast-math GCC will not vectorise the dot
  // product's reduction on its own, and the whole pass would run scalar.
  constexpr Index lanes = 16;
  using Lane = Eigen::Array<T, lanes, 1>;
  using Map = Eigen::Map<Lane>;
  using ConstMap = Eigen::Map<const Lane>;
  Lane dots = Lane::Zero();
  Index i = 0;
  for (; i + lanes <= n; i += lanes) {
    const Lane ai = Map(a + i);
    const Lane gi = Map(ga + i);
    const Lane y = ai + beta * (ai - Map(a_prev + i));
    const Lane v = y - k.step * (gi + beta * (gi - Map(ga_prev + i)) - ConstMap(c + i));
    Lane shrunk = (v - k.threshold).max(T(0));
    if (!k.nonneg) shrunk -= (-v - k.threshold).max(T(0));
    const Lane next = shrunk * k.shrink;
    dots += (y - next) * (next - ai);
    Map(a_prev + i) = ai;
    Map(a + i) = next;
    Map(ga_prev + i) = gi;
  }
  T dot = 0;
  for (Index l = 0; l < lanes; ++l) dot += dots(l);  // (Eigen's packet reduction trips a GCC 12 warning)
  for (; i < n; ++i) {
    const T ai = a[i];
    const T y = ai + beta * (ai - a_prev[i]);
    const T v = y - k.step * (ga[i] + beta * (ga[i] - ga_prev[i]) - c[i]);
    const T shrunk = std::max(v - k.threshold, T(0)) - (k.nonneg ? T(0) : std::max(-v - k.threshold, T(0)));
    const T next = shrunk * k.shrink;
    dot += (y - next) * (next - ai);
    a_prev[i] = ai;
    a[i] = next;
    ga_prev[i] = ga[i];
  }
  return dot;
}

// f(a) − ½‖x‖² = ½aᵀGa − cᵀa + λ‖a‖₁ + ½λ₂‖a‖² for the function-restart test.
template <class T>
T objective_part(Index n, const T* a, const T* ga, const T* c, T lambda, T lambda2) {
  T quad = 0, lin = 0, l1 = 0, l2 = 0;
  for (Index i = 0; i < n; ++i) {
    quad += a[i] * ga[i];
    lin += c[i] * a[i];
    l1 += std::abs(a[i]);
    l2 += a[i] * a[i];
  }
  return T(0.5) * quad - lin + lambda * l1 + T(0.5) * lambda2 * l2;
}

// The momentum of FISTA (Beck & Teboulle 2009): t⁺ = (1 + √(1 + 4t²))/2 and β = (t − 1)/t⁺.
template <class T>
T next_momentum(bool fista, T& t) {
  if (!fista) return T(0);
  const T t_next = (T(1) + std::sqrt(T(1) + T(4) * t * t)) / T(2);
  const T beta = (t - T(1)) / t_next;
  t = t_next;
  return beta;
}

}  // namespace

void ProximalGradientOptions::validate() const {
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("ProximalGradientOptions.tolerance must be a finite value > 0, got " +
                                std::to_string(tolerance));
  }
  if (max_iterations <= 0) {
    throw std::invalid_argument("ProximalGradientOptions.max_iterations must be > 0, got " +
                                std::to_string(max_iterations));
  }
  if (check_every <= 0) {
    throw std::invalid_argument("ProximalGradientOptions.check_every must be > 0, got " +
                                std::to_string(check_every));
  }
  if (block_width <= 0) {
    throw std::invalid_argument("ProximalGradientOptions.block_width must be > 0, got " +
                                std::to_string(block_width));
  }
}

template <class T>
internal::ProximalGradient<T>::ProximalGradient(const Penalty& penalty, const ProximalGradientOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void internal::ProximalGradient<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  const Index w = options_.block_width;
  for (Matrix<T>* m : {&a_, &a_prev_, &ga_, &ga_prev_, &c_}) m->resize(k, w);
  xn_.resize(w);
  restart_dot_.resize(w);
  support_values_.resize(k);
  support_.assign(static_cast<std::size_t>(k), 0);
  t_.resize(w);
  objective_.resize(w);
  grad_.resize(k);
  origin_.assign(static_cast<std::size_t>(w), 0);
  iterations_.assign(static_cast<std::size_t>(w), 0);
  screen_.assign(static_cast<std::size_t>(w), 1);
  signature_.assign(static_cast<std::size_t>(w), 0);
  polished_.assign(static_cast<std::size_t>(w), 0);
  polish_.reserve(k);
  atom_norms_ = (cache.gram().diagonal().array() + static_cast<T>(penalty_.lambda2)).sqrt();
  kept_.assign(static_cast<std::size_t>(k), 0);
  positions_.assign(static_cast<std::size_t>(k), 0);
  // The reduced problem's workspace (G_SS alone is k² entries) only when screening can use it.
  const Index reduced = options_.screening == ScreeningRule::gap_safe ? k : 0;
  reduced_gram_.resize(reduced * reduced);
  float_products_ = std::is_same_v<T, double> && options_.arithmetic == Arithmetic::mixed &&
                    options_.screening == ScreeningRule::none;
  const Index fk = float_products_ ? k : 0;
  if (float_products_) cache.gram_float();  // computed here, once for all threads
  a_float_.resize(fk, w);
  ga_float_.resize(fk, w);
  values_float_.resize(fk);
  out_float_.resize(fk);
  exact_.assign(static_cast<std::size_t>(w), 1);
  for (Vector<T>* v : {&ra_, &ra_prev_, &rga_, &rga_prev_, &rc_, &rnorms_, &rgrad_}) v->resize(reduced);
}

template <class T>
void internal::ProximalGradient<T>::move_column(Index from, Index to) {
  for (Matrix<T>* m : {&a_, &a_prev_, &ga_, &ga_prev_, &c_}) m->col(to) = m->col(from);
  xn_(to) = xn_(from);
  t_(to) = t_(from);
  objective_(to) = objective_(from);
  const auto f = static_cast<std::size_t>(from);
  const auto t = static_cast<std::size_t>(to);
  origin_[t] = origin_[f];
  iterations_[t] = iterations_[f];
  screen_[t] = screen_[f];
  signature_[t] = signature_[f];
  polished_[t] = polished_[f];
  exact_[t] = exact_[f];
}

template <class T>
void internal::ProximalGradient<T>::exact_product(Index p) {
  const Matrix<T>& gram = cache_->gram();
  sparse_gram_product(gram.data(), gram.rows(), a_.col(p).data(), support_.data(), support_values_.data(),
                      ga_.col(p).data());
}

template <class T>
void internal::ProximalGradient<T>::float_product(Index p) {
  const Matrix<float>& gram = cache_->gram_float();
  const Index k = gram.rows();
  const Index m = core::internal::compact_support(a_.col(p).data(), k, support_.data(), support_values_.data());
  values_float_.head(m) = support_values_.head(m).template cast<float>();
  internal::weighted_column_sum(gram.data(), k, support_.data(), values_float_.data(), m, k, out_float_.data(),
                      internal::AssignSum{});
  ga_.col(p) = out_float_.template cast<T>();
}

template <class T>
void internal::ProximalGradient<T>::update_products(Index active) {
  const Matrix<T>& gram = cache_->gram();
  const Index k = gram.rows();
  Index nonzeros = 0;
  for (Index p = 0; p < active; ++p) nonzeros += (a_.col(p).array() != T(0)).count();
  // Soft thresholding makes the iterates sparse after a few steps; then Σ_j a_j G_{:,j} over
  // the support (k·nnz flops per column) beats the dense GEMM (k² per column) even though it
  // runs several times slower per flop than a GEMM.
  if (nonzeros * kSparseProductRatio > k * active) {
    if (!float_products_) {
      ga_.leftCols(active).noalias() = gram * a_.leftCols(active);
      return;
    }
    a_float_.leftCols(active) = a_.leftCols(active).template cast<float>();
    ga_float_.leftCols(active).noalias() = cache_->gram_float() * a_float_.leftCols(active);
    ga_.leftCols(active) = ga_float_.leftCols(active).template cast<T>();
    for (Index p = 0; p < active; ++p) {
      if (exact_[static_cast<std::size_t>(p)]) exact_product(p);
    }
    return;
  }
  for (Index p = 0; p < active; ++p) {
    if (exact_[static_cast<std::size_t>(p)]) {
      exact_product(p);
    } else {
      float_product(p);
    }
  }
}

template <class T>
T internal::ProximalGradient<T>::gather_screened(Index p, Index n) {
  const Matrix<T>& gram = cache_->gram();
  T* g = reduced_gram_.data();
  for (Index j = 0; j < n; ++j) {
    const Index atom = kept_[static_cast<std::size_t>(j)];
    for (Index i = 0; i < n; ++i) g[j * n + i] = gram(kept_[static_cast<std::size_t>(i)], atom);
    rc_(j) = c_(atom, p);
    rnorms_(j) = atom_norms_(atom);
  }
  return std::min(cache_->lipschitz(), principal_eigenvalue_bound(g, n));
}

template <class T>
typename internal::ProximalGradient<T>::ScreenedOutcome internal::ProximalGradient<T>::solve_screened(Index p, Index kept,
                                                                                 T tolerance) {
  const bool fista = options_.method == ProximalMethod::fista;
  const T lambda = static_cast<T>(penalty_.lambda);
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const T x_norm2 = xn_(p);
  int& iterations = iterations_[static_cast<std::size_t>(p)];
  Index n = kept;
  for (Index j = 0; j < n; ++j) ra_(j) = a_(kept_[static_cast<std::size_t>(j)], p);
  StepConstants<T> constants(cache_->lipschitz(), penalty_);
  T t = 1;
  T objective = std::numeric_limits<T>::infinity();
  std::uint64_t signature = 0, polished = 0;
  // (Re)starts the reduced problem on kept_[0, n): the atoms dropped may have been non-zero in
  // the iterate, so Ga is recomputed and the momentum restarts.
  auto restart_on_kept = [&] {
    constants = StepConstants<T>(gather_screened(p, n), penalty_);
    ra_prev_.head(n) = ra_.head(n);
    sparse_gram_product(reduced_gram_.data(), n, ra_.data(), support_.data(), support_values_.data(),
                        rga_.data());
    rga_prev_.head(n) = rga_.head(n);
    t = 1;
    objective = std::numeric_limits<T>::infinity();
  };
  if (n > 0) restart_on_kept();

  bool reduced_converged = n == 0;  // no atom can be non-zero: a = 0 is the minimiser
  while (!reduced_converged && iterations < options_.max_iterations) {
    const T beta = next_momentum(fista, t);
    const T dot = proximal_step(n, beta, constants, ra_.data(), ra_prev_.data(), rga_.data(),
                                rga_prev_.data(), rc_.data());
    sparse_gram_product(reduced_gram_.data(), n, ra_.data(), support_.data(), support_values_.data(),
                        rga_.data());
    ++iterations;
    if (fista && options_.restart == RestartScheme::gradient && dot > T(0)) t = 1;
    if (fista && options_.restart == RestartScheme::function) {
      const T f = objective_part(n, ra_.data(), rga_.data(), rc_.data(), lambda, lambda2);
      if (f > objective) t = 1;
      objective = f;
    }
    if (iterations % options_.check_every != 0) continue;
    auto grad = rgrad_.head(n);
    grad = rc_.head(n) - rga_.head(n);
    const Certificate<T> cert = certify_from_gradient<T>(rc_.head(n), x_norm2, ra_.head(n), penalty_, grad);
    if (cert.relative_gap() <= tolerance ||
        (options_.polishing == FacePolishing::stable_signs &&
         try_polish(reduced_gram_.data(), n, rc_.data(), x_norm2, tolerance, ra_.data(), rga_.data(), signature,
                    polished))) {
      reduced_converged = true;
      break;
    }
    // The reduced problem has the full problem's minimiser, so its own gap screens further.
    Index* positions = positions_.data();
    const Index m = gap_safe_survivors<T>(grad, cert, rnorms_.head(n), penalty_, positions);
    if (2 * m > n) continue;
    for (Index q = 0; q < m; ++q) {  // positions are increasing, so compacting in place is safe
      const auto from = static_cast<std::size_t>(positions[q]);
      kept_[static_cast<std::size_t>(q)] = kept_[from];
      ra_(q) = ra_(positions[q]);
    }
    n = m;
    if (n == 0) {
      reduced_converged = true;
      break;
    }
    restart_on_kept();
  }

  // Back to all k atoms: the code, Ga with one sparse product, and the full certificate.
  auto a = a_.col(p);
  a.setZero();
  for (Index j = 0; j < n; ++j) a(kept_[static_cast<std::size_t>(j)]) = ra_(j);
  const Matrix<T>& gram = cache_->gram();
  sparse_gram_product(gram.data(), gram.rows(), a.data(), support_.data(), support_values_.data(),
                      ga_.col(p).data());
  if (!reduced_converged) return ScreenedOutcome::max_iterations;
  grad_ = c_.col(p) - ga_.col(p);
  const Certificate<T> cert = certify_from_gradient<T>(c_.col(p), x_norm2, a, penalty_, grad_);
  return cert.relative_gap() <= tolerance ? ScreenedOutcome::converged : ScreenedOutcome::unverified;
}

template <class T>
bool internal::ProximalGradient<T>::try_polish(const T* gram, Index n, const T* c, T x_norm2, T tolerance, T* a, T* ga,
                                     std::uint64_t& signature, std::uint64_t& polished) {
  const std::uint64_t now = sign_signature(a, n);
  const bool stable = now == signature && now != polished;
  signature = now;
  if (!stable) return false;
  polished = now;  // one attempt per sign pattern
  return polish_.improve(gram, n, c, x_norm2, penalty_, tolerance, a, ga);
}

template <class T>
void internal::ProximalGradient<T>::solve_chunk(const Eigen::Ref<const Matrix<T>>& dtx,
                                      const Eigen::Ref<const Vector<T>>& x_norm2,
                                      Eigen::Ref<Matrix<T>> codes, SampleResult* results) {
  const Index k = cache_->atoms();
  const T lambda = static_cast<T>(penalty_.lambda);
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const T tolerance = std::max(static_cast<T>(options_.tolerance),
                               T(64) * std::numeric_limits<T>::epsilon());
  const bool fista = options_.method == ProximalMethod::fista;
  const bool screening = options_.screening == ScreeningRule::gap_safe;
  const bool polishing = options_.polishing == FacePolishing::stable_signs;
  const Matrix<T>& gram = cache_->gram();
  Index active = dtx.cols();
  for (Index p = 0; p < active; ++p) {
    origin_[static_cast<std::size_t>(p)] = p;
    iterations_[static_cast<std::size_t>(p)] = 0;
    screen_[static_cast<std::size_t>(p)] = 1;
    signature_[static_cast<std::size_t>(p)] = 0;
    polished_[static_cast<std::size_t>(p)] = 0;
    exact_[static_cast<std::size_t>(p)] = float_products_ ? 0 : 1;
    t_(p) = T(1);
    objective_(p) = std::numeric_limits<T>::infinity();
  }
  xn_.head(active) = x_norm2;
  c_.leftCols(active) = dtx;
  a_.leftCols(active) = codes;
  a_prev_.leftCols(active) = codes;
  update_products(active);  // cheap for a cold start: every column's support is empty
  ga_prev_.leftCols(active) = ga_.leftCols(active);

  auto finish = [&](Index p, SampleTermination why) {
    const Index j = origin_[static_cast<std::size_t>(p)];
    codes.col(j) = a_.col(p);
    results[j].termination = why;
    results[j].iterations = iterations_[static_cast<std::size_t>(p)];
  };
  auto retire = [&](Index p, SampleTermination why) {
    finish(p, why);
    --active;
    if (p != active) move_column(active, p);
  };
  // Gap check of every working column (backwards, so that retiring p moves in a checked one):
  // converged columns retire; columns that screening leaves with at most half of the atoms
  // finish alone on them.
  auto check = [&] {
    for (Index p = active - 1; p >= 0; --p) {
      grad_ = c_.col(p) - ga_.col(p);
      Certificate<T> cert = certify_from_gradient<T>(c_.col(p), xn_(p), a_.col(p), penalty_, grad_);
      char& exact = exact_[static_cast<std::size_t>(p)];
      if (!exact && cert.relative_gap() <= std::max(tolerance, static_cast<T>(kFloatGapFloor))) {
        // Close enough that float round-off matters: Ga in double from now on, and a certificate
        // that can stop the column.
        exact_product(p);
        exact = 1;
        grad_ = c_.col(p) - ga_.col(p);
        cert = certify_from_gradient<T>(c_.col(p), xn_(p), a_.col(p), penalty_, grad_);
      }
      if (exact && cert.relative_gap() <= tolerance) {
        retire(p, SampleTermination::converged);
        continue;
      }
      if (polishing && try_polish(gram.data(), k, c_.col(p).data(), xn_(p), tolerance, a_.col(p).data(),
                                  ga_.col(p).data(), signature_[static_cast<std::size_t>(p)],
                                  polished_[static_cast<std::size_t>(p)])) {
        retire(p, SampleTermination::converged);
        continue;
      }
      if (!screening || !screen_[static_cast<std::size_t>(p)]) continue;
      const Index kept = gap_safe_survivors<T>(grad_, cert, atom_norms_, penalty_, kept_.data());
      if (2 * kept > k) continue;
      switch (solve_screened(p, kept, tolerance)) {
        case ScreenedOutcome::converged: retire(p, SampleTermination::converged); break;
        case ScreenedOutcome::max_iterations: retire(p, SampleTermination::max_iterations); break;
        case ScreenedOutcome::unverified:  // resume on all atoms, from the reduced iterate
          a_prev_.col(p) = a_.col(p);
          ga_prev_.col(p) = ga_.col(p);
          t_(p) = T(1);
          screen_[static_cast<std::size_t>(p)] = 0;
          break;
      }
    }
  };

  const StepConstants<T> full(cache_->lipschitz(), penalty_);
  for (int it = 0; active > 0; ++it) {
    if (it % options_.check_every == 0) check();
    if (it == options_.max_iterations) break;
    for (Index p = 0; p < active; ++p) {
      T t = t_(p);
      const T beta = next_momentum(fista, t);
      t_(p) = t;
      restart_dot_(p) = proximal_step(k, beta, full, a_.col(p).data(), a_prev_.col(p).data(),
                                      ga_.col(p).data(), ga_prev_.col(p).data(), c_.col(p).data());
      ++iterations_[static_cast<std::size_t>(p)];
    }
    update_products(active);
    if (!fista || options_.restart == RestartScheme::none) continue;
    for (Index p = 0; p < active; ++p) {
      bool restart = false;
      if (options_.restart == RestartScheme::gradient) {
        restart = restart_dot_(p) > T(0);
      } else {
        const T f = objective_part(k, a_.col(p).data(), ga_.col(p).data(), c_.col(p).data(), lambda, lambda2);
        restart = f > objective_(p);
        objective_(p) = f;
      }
      if (restart) t_(p) = T(1);  // the next step has β = 0
    }
  }
  for (Index p = active - 1; p >= 0; --p) retire(p, SampleTermination::max_iterations);
}

template <class T>
void internal::ProximalGradient<T>::solve_block(const Eigen::Ref<const Matrix<T>>& dtx,
                                      const Eigen::Ref<const Vector<T>>& x_norm2,
                                      Eigen::Ref<Matrix<T>> codes, SampleResult* results) {
  if (cache_ == nullptr) throw std::logic_error("ProximalGradient: prepare() was not called");
  const Index n = dtx.cols();
  for (Index start = 0; start < n; start += options_.block_width) {
    const Index width = std::min(options_.block_width, n - start);
    solve_chunk(dtx.middleCols(start, width), x_norm2.segment(start, width),
                codes.middleCols(start, width), results + start);
  }
}

template <class T>
SampleResult internal::ProximalGradient<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                        Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("ProximalGradient: prepare() was not called");
  const Index k = code.size();
  SampleResult result;
  solve_chunk(Eigen::Map<const Matrix<T>>(dtx.data(), k, 1), Eigen::Map<const Vector<T>>(&x_norm2, 1),
              Eigen::Map<Matrix<T>>(code.data(), k, 1), &result);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> internal::ProximalGradient<T>::clone() const {
  return std::make_unique<ProximalGradient<T>>(*this);
}

template <class T>
std::string internal::ProximalGradient<T>::name() const {
  return options_.method == ProximalMethod::fista ? "fista" : "ista";
}

template class internal::ProximalGradient<float>;
template class internal::ProximalGradient<double>;

}  // namespace sparsecode::solvers
