// ISTA/FISTA implementation: batched iterations with one GEMM per step, adaptive restart, gap-based stopping.
#include "solvers/proximal_gradient.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sparsecode::solvers {

namespace {

// out = Σ_s values[s]·G_{:,atoms[s]} over a support of n atoms, in blocks of rows held in
// registers across the whole support: each output entry is written once instead of once per
// atom, and the sums run over the support in index order as a column-by-column axpy would.
template <class T>
void gathered_product(const Matrix<T>& gram, const Index* atoms, const T* values, Index n, T* out) {
  constexpr Index block = 64;  // 8 AVX-512 accumulators of doubles: enough independent FMA chains
  using Block = Eigen::Matrix<T, block, 1>;
  const Index k = gram.rows();
  Index r0 = 0;
  for (; r0 + block <= k; r0 += block) {
    Block acc = Block::Zero();
    for (Index s = 0; s < n; ++s) acc.noalias() += values[s] * Eigen::Map<const Block>(gram.data() + atoms[s] * k + r0);
    Eigen::Map<Block>(out + r0) = acc;
  }
  for (; r0 < k; ++r0) {
    T acc = 0;
    for (Index s = 0; s < n; ++s) acc += values[s] * gram(r0, atoms[s]);
    out[r0] = acc;
  }
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
ProximalGradient<T>::ProximalGradient(const Penalty& penalty, const ProximalGradientOptions& options)
    : penalty_(penalty), options_(options) {
  penalty_.validate();
  options_.validate();
}

template <class T>
void ProximalGradient<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  const Index w = options_.block_width;
  for (Matrix<T>* m : {&a_, &a_prev_, &ga_, &ga_prev_, &c_}) m->resize(k, w);
  xn_.resize(w);
  restart_dot_.resize(w);
  support_.resize(static_cast<std::size_t>(k));
  support_values_.resize(k);
  t_.resize(w);
  objective_.resize(w);
  grad_.resize(k);
  origin_.assign(static_cast<std::size_t>(w), 0);
  iterations_.assign(static_cast<std::size_t>(w), 0);
}

template <class T>
void ProximalGradient<T>::move_column(Index from, Index to) {
  for (Matrix<T>* m : {&a_, &a_prev_, &ga_, &ga_prev_, &c_}) m->col(to) = m->col(from);
  xn_(to) = xn_(from);
  t_(to) = t_(from);
  objective_(to) = objective_(from);
  origin_[static_cast<std::size_t>(to)] = origin_[static_cast<std::size_t>(from)];
  iterations_[static_cast<std::size_t>(to)] = iterations_[static_cast<std::size_t>(from)];
}

template <class T>
void ProximalGradient<T>::update_products(Index active) {
  const Matrix<T>& gram = cache_->gram();
  const Index k = gram.rows();
  Index nonzeros = 0;
  for (Index p = 0; p < active; ++p) nonzeros += (a_.col(p).array() != T(0)).count();
  // Soft thresholding makes the iterates sparse after a few steps; then Σ_j a_j G_{:,j} over
  // the support (k·nnz flops per column) beats the dense GEMM (k² per column) even though an
  // axpy runs several times slower per flop than a GEMM.
  if (nonzeros * kSparseProductRatio > k * active) {
    ga_.leftCols(active).noalias() = gram * a_.leftCols(active);
    return;
  }
  for (Index p = 0; p < active; ++p) {
    // Branch-free compaction: the support changes from step to step, so a branch on a_j ≠ 0
    // would be mispredicted often.
    Index n = 0;
    for (Index j = 0; j < k; ++j) {
      const T v = a_(j, p);
      support_[static_cast<std::size_t>(n)] = j;
      support_values_(n) = v;
      n += v != T(0) ? 1 : 0;
    }
    gathered_product(gram, support_.data(), support_values_.data(), n, ga_.col(p).data());
  }
}

template <class T>
void ProximalGradient<T>::solve_chunk(const Eigen::Ref<const Matrix<T>>& dtx,
                                      const Eigen::Ref<const Vector<T>>& x_norm2,
                                      Eigen::Ref<Matrix<T>> codes, SampleResult* results) {
  const Matrix<T>& gram = cache_->gram();
  const Index k = gram.rows();
  const T step = T(1) / std::max(cache_->lipschitz(), std::numeric_limits<T>::min());
  const T lambda = static_cast<T>(penalty_.lambda);
  const T lambda2 = static_cast<T>(penalty_.lambda2);
  const T tolerance = std::max(static_cast<T>(options_.tolerance),
                               T(64) * std::numeric_limits<T>::epsilon());
  const bool fista = options_.method == ProximalMethod::fista;
  Index active = dtx.cols();
  for (Index p = 0; p < active; ++p) {
    origin_[static_cast<std::size_t>(p)] = p;
    iterations_[static_cast<std::size_t>(p)] = 0;
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

  for (int it = 1; it <= options_.max_iterations && active > 0; ++it) {
    const T threshold = lambda * step;
    const T shrink = T(1) / (T(1) + lambda2 * step);
    const bool nonneg = penalty_.sign == CodeSign::nonnegative;
    for (Index p = 0; p < active; ++p) {
      const T t_next = fista ? (T(1) + std::sqrt(T(1) + T(4) * t_(p) * t_(p))) / T(2) : T(1);
      const T beta = fista ? (t_(p) - T(1)) / t_next : T(0);
      T* a = a_.col(p).data();
      T* a_prev = a_prev_.col(p).data();
      T* ga = ga_.col(p).data();
      T* ga_prev = ga_prev_.col(p).data();
      const T* c = c_.col(p).data();
      // One pass per column: y = a + β(a − a₋) and, G being linear, Gy = Ga + β(Ga − Ga₋)
      // without a product; a⁺ = prox(y − (Gy − c)/L); the gradient-restart test (y − a⁺)ᵀ(a⁺ − a).
      T dot = 0;
      for (Index i = 0; i < k; ++i) {
        const T ai = a[i];
        const T y = ai + beta * (ai - a_prev[i]);
        const T v = y - step * (ga[i] + beta * (ga[i] - ga_prev[i]) - c[i]);
        const T shrunk = std::max(v - threshold, T(0)) - (nonneg ? T(0) : std::max(-v - threshold, T(0)));
        const T next = shrunk * shrink;
        dot += (y - next) * (next - ai);
        a_prev[i] = ai;
        a[i] = next;
        ga_prev[i] = ga[i];
      }
      restart_dot_(p) = dot;
      t_(p) = t_next;
      ++iterations_[static_cast<std::size_t>(p)];
    }
    update_products(active);

    if (fista && options_.restart != RestartScheme::none) {
      for (Index p = 0; p < active; ++p) {
        bool restart = false;
        if (options_.restart == RestartScheme::gradient) {
          restart = restart_dot_(p) > T(0);
        } else {
          // f(a) − ½‖x‖² = ½aᵀGa − cᵀa + λ‖a‖₁ + ½λ₂‖a‖²
          const T f = T(0.5) * a_.col(p).dot(ga_.col(p)) - c_.col(p).dot(a_.col(p)) +
                      lambda * a_.col(p).template lpNorm<1>() +
                      T(0.5) * lambda2 * a_.col(p).squaredNorm();
          restart = f > objective_(p);
          objective_(p) = f;
        }
        if (restart) t_(p) = T(1);  // the next step has β = 0
      }
    }

    if (it % options_.check_every == 0) {
      for (Index p = active - 1; p >= 0; --p) {
        grad_ = c_.col(p) - ga_.col(p);
        const Certificate<T> cert =
            certify_from_gradient<T>(c_.col(p), xn_(p), a_.col(p), penalty_, grad_);
        if (cert.relative_gap() <= tolerance) {
          finish(p, SampleTermination::converged);
          --active;
          if (p != active) move_column(active, p);
        }
      }
    }
  }
  for (Index p = 0; p < active; ++p) finish(p, SampleTermination::max_iterations);
}

template <class T>
void ProximalGradient<T>::solve_block(const Eigen::Ref<const Matrix<T>>& dtx,
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
SampleResult ProximalGradient<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                        Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("ProximalGradient: prepare() was not called");
  const Index k = code.size();
  SampleResult result;
  solve_chunk(Eigen::Map<const Matrix<T>>(dtx.data(), k, 1), Eigen::Map<const Vector<T>>(&x_norm2, 1),
              Eigen::Map<Matrix<T>>(code.data(), k, 1), &result);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> ProximalGradient<T>::clone() const {
  return std::make_unique<ProximalGradient<T>>(*this);
}

template <class T>
std::string ProximalGradient<T>::name() const {
  return options_.method == ProximalMethod::fista ? "fista" : "ista";
}

template class ProximalGradient<float>;
template class ProximalGradient<double>;

}  // namespace sparsecode::solvers
