// Shared interface of the sparse-coding solvers: the penalty, the cached Gram matrix, per-sample results.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <type_traits>

#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers {

enum class CodeSign { any, nonnegative };

/// Per-sample objective f(a) = ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖²  (SPAMS's convention),
/// with a ≥ 0 when sign == nonnegative. λ₂ = 0 is the LASSO, λ₂ > 0 the elastic net.
struct Penalty {
  double lambda = 0.1;   ///< λ ≥ 0
  double lambda2 = 0.0;  ///< λ₂ ≥ 0
  CodeSign sign = CodeSign::any;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

/// Everything about D that solvers reuse across samples: G = DᵀD (k×k) and, on request, the
/// Lipschitz constant L = λ_max(G) (power iteration). Built once per dictionary, then shared
/// read-only by all threads.
template <class T>
class GramCache {
 public:
  /// Computes G = DᵀD with one BLAS GEMM (may use every core).
  explicit GramCache(const Matrix<T>& dictionary);

  const Matrix<T>& gram() const { return gram_; }
  Index atoms() const { return gram_.rows(); }
  /// Largest eigenvalue of G, by power iteration to relative accuracy 1e-10, computed on the
  /// first call only (thread-safe, std::call_once): solvers without a step size (CD, LARS,
  /// OMP) never pay for it, and the power iteration can cost more than G itself.
  T lipschitz() const;
  /// G in float, for the float work of Arithmetic::mixed; computed on the first call only
  /// (thread-safe) and shared by every thread's solver. For T = float, G itself.
  const Matrix<float>& gram_float() const;

 private:
  Matrix<T> gram_;
  mutable std::once_flag lipschitz_once_;
  mutable T lipschitz_ = T(0);
  mutable std::once_flag gram_float_once_;
  mutable Matrix<float> gram_float_;
};

/// Why a solver stopped on one sample.
enum class SampleTermination {
  converged,        ///< relative duality gap ≤ tolerance, or exact KKT (LARS, feature-sign)
  max_iterations,   ///< iteration limit reached before the tolerance
  target_reached,   ///< OMP: sparsity target or residual tolerance met
  numerical_issue,  ///< e.g. a singular active set in a Cholesky update
};

/// Arithmetic of a double-precision solver's bulk work (LARS's O(k) work per path step,
/// FISTA/ISTA's products with G).
enum class Arithmetic {
  /// That work in float: half the memory traffic and twice the SIMD lanes. What decides the
  /// result (LARS's Cholesky factor and final solve; FISTA's stopping certificate) stays in
  /// double, and each solver checks its result in double (see LarsOptions, ProximalGradientOptions).
  mixed,
  /// double throughout.
  full,
};

/// Result of one sample.
struct SampleResult {
  SampleTermination termination = SampleTermination::converged;
  int iterations = 0;
};

/// A solver for one sample in Gram form: with c = Dᵀx and ‖x‖², the objective is
/// f(a) = ½‖x‖² − cᵀa + ½aᵀGa + λ‖a‖₁ + ½λ₂‖a‖². Instances own their workspace (allocated in
/// `prepare`), so each thread uses its own clone and solving allocates nothing.
template <class T>
class CodeSolver {
 public:
  virtual ~CodeSolver() = default;

  /// Binds the solver to a dictionary's cache (kept by reference; must outlive the solves)
  /// and sizes the workspace for k = cache.atoms().
  virtual void prepare(const GramCache<T>& cache) = 0;

  /// Solves one sample. On entry `code` (length k) holds the warm start (zeros if none); on
  /// exit the solution. `dtx` = Dᵀx, `x_norm2` = ‖x‖².
  virtual SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                             Eigen::Ref<Vector<T>> code) = 0;

  /// Solves the columns of a block at once (one GEMM with G per iteration for batched FISTA).
  /// The default loops over `solve`. Results per column must not depend on the block's width.
  virtual void solve_block(const Eigen::Ref<const Matrix<T>>& dtx, const Eigen::Ref<const Vector<T>>& x_norm2,
                           Eigen::Ref<Matrix<T>> codes, SampleResult* results);

  virtual std::unique_ptr<CodeSolver> clone() const = 0;
  virtual std::string name() const = 0;
};

/// How a Certificate's relative_gap() measures optimality.
enum class CertificateKind {
  duality_gap,   ///< λ > 0 or λ₂ > 0: (primal − dual) / max(primal, tiny)
  stationarity,  ///< λ = λ₂ = 0 (least squares): no dual point certifies (see Certificate)
};

/// Objective and duality gap of a code, in Gram form. The dual point is the scaled residual
/// ν = s·r with r = x − Da (augmented by −√λ₂·a for the elastic net) and
/// s = min(1, λ / ‖Dᵀr − λ₂a‖∞) (for a ≥ 0 the max of the positive part), so that ν is dual
/// feasible; the dual objective is s·xᵀr − ½s²‖r‖². For the elastic net f is λ₂-strongly
/// convex, so f* ≥ f(a) − ‖v‖²/(2λ₂) with v the least-norm subgradient; the dual bound is the
/// larger of the two. The gap is primal − dual ≥ 0 (up to round-off) and is 0 exactly at the
/// optimum.
///
/// At λ = λ₂ = 0 (least squares) the scaled residual is dual feasible only when Dᵀr = 0
/// exactly, so the gap equals f(a) and certifies nothing; relative_gap() then returns the
/// relative stationarity ‖v‖∞ / ‖Dᵀx‖∞ instead (projected for a ≥ 0).
template <class T>
struct Certificate {
  T objective = 0;  ///< f(a)
  T dual = 0;       ///< lower bound on min f: dual objective at ν (or the strong-convexity bound)
  T dual_point = 0;  ///< the dual objective at ν itself (screening needs a feasible point's gap)
  T dual_scale = 1;  ///< s, with ν = s·r̃
  T residual_norm2 = 0;  ///< ‖x − Da‖² (without the elastic net's augmentation)
  /// ‖v‖∞ / max(‖Dᵀx‖∞, tiny), v the least-norm element of ∂f(a) (+ the normal cone of a ≥ 0):
  /// the KKT violation, 0 exactly at the optimum.
  T stationarity = 0;
  CertificateKind kind = CertificateKind::duality_gap;
  T gap() const { return objective - dual; }
  /// What iterative solvers compare with their tolerance: gap / max(objective, tiny), or the
  /// relative stationarity when kind == stationarity.
  T relative_gap() const;
};

/// Computes the certificate with O(k²) work (one product G·a). `grad` receives c − Ga − λ₂a
/// (= D̃ᵀr), which KKT checks also need.
/// T is deduced from `gram` alone (the other arguments may be any expressions Ref accepts).
template <class T>
Certificate<T> certify(const Matrix<T>& gram, const Eigen::Ref<const Vector<std::type_identity_t<T>>>& dtx,
                       std::type_identity_t<T> x_norm2,
                       const Eigen::Ref<const Vector<std::type_identity_t<T>>>& code,
                       const Penalty& penalty, Eigen::Ref<Vector<std::type_identity_t<T>>> grad);

/// The same certificate when c − Ga is already known (O(k) work): `grad` holds c − Ga on entry
/// and c − Ga − λ₂a on exit. Solvers that maintain Ga (coordinate descent, batched FISTA, the
/// driver with sparse codes) use it to avoid a second product with G.
template <class T>
Certificate<T> certify_from_gradient(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                     const Eigen::Ref<const Vector<T>>& code, const Penalty& penalty,
                                     Eigen::Ref<Vector<T>> grad);

}  // namespace sparsecode::solvers
