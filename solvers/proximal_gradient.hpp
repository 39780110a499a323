// ISTA and FISTA for sparse codes in Gram form, with adaptive restart and a batched (one GEMM per iteration) mode.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "solvers/code_solver.hpp"

namespace sparsecode::solvers {

enum class ProximalMethod {
  ista,   ///< plain proximal gradient: O(1/k)
  fista,  ///< Nesterov momentum (Beck & Teboulle 2009): O(1/k²)
};

/// Adaptive restart of the momentum (O'Donoghue & Candès 2015); FISTA only.
enum class RestartScheme {
  none,
  gradient,  ///< restart when (y − a⁺)ᵀ(a⁺ − a) > 0, i.e. the step goes against the momentum
  function,  ///< restart when the objective increases
};

/// Options of ProximalGradient. Defaults are those of `sparsecode encode --solver fista`.
struct ProximalGradientOptions {
  ProximalMethod method = ProximalMethod::fista;
  RestartScheme restart = RestartScheme::gradient;
  /// Stop a column when its relative duality gap is ≤ this (> 0). For float the solver never
  /// asks for less than 64·ε_float, which round-off in the gap itself cannot certify.
  double tolerance = 1e-6;
  int max_iterations = 20000;  ///< per column (> 0)
  int check_every = 5;         ///< iterations between duality-gap checks (> 0)
  /// Columns iterated together by solve_block (> 0): each iteration is one k×k by k×width GEMM.
  Index block_width = 64;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

/// Proximal gradient for f(a) = ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 optionally), in Gram form:
/// the smooth part is ½aᵀGa − cᵀa with gradient Ga − c (c = Dᵀx), Lipschitz constant
/// L = λ_max(G) from GramCache, step 1/L. The prox of t(λ|a| + ½λ₂a²) is
/// soft(v, tλ) / (1 + tλ₂), and with a ≥ 0 it is max(v − tλ, 0) / (1 + tλ₂).
///
/// FISTA (Beck & Teboulle, SIAM J. Imaging Sci. 2009): a⁺ = prox(y − (Gy − c)/L),
/// t⁺ = (1 + √(1 + 4t²))/2, y⁺ = a⁺ + ((t − 1)/t⁺)(a⁺ − a). The solver keeps Ga for every
/// iterate, so Gy = Ga + β(Ga − Ga₋) costs no product and the duality gap (checked every
/// `check_every` iterations) costs O(k): one product with G per iteration in all, a GEMM over
/// the block while the iterates are dense and a sparse product Σ_j a_j G_{:,j} once the soft
/// threshold has made them sparse (k·nnz instead of k² flops per column).
///
/// solve_block iterates up to `block_width` columns at once; a column whose gap reaches the
/// tolerance is written out and dropped from the working set, so its result is the one it
/// would have alone (up to the GEMM's summation order, which is fixed for a fixed block).
template <class T>
class ProximalGradient final : public CodeSolver<T> {
 public:
  ProximalGradient(const Penalty& penalty, const ProximalGradientOptions& options);

  void prepare(const GramCache<T>& cache) override;
  SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                     Eigen::Ref<Vector<T>> code) override;
  void solve_block(const Eigen::Ref<const Matrix<T>>& dtx, const Eigen::Ref<const Vector<T>>& x_norm2,
                   Eigen::Ref<Matrix<T>> codes, SampleResult* results) override;
  std::unique_ptr<CodeSolver<T>> clone() const override;
  std::string name() const override;

 private:
  // Solves columns [0, width) of the arguments (width ≤ block_width).
  void solve_chunk(const Eigen::Ref<const Matrix<T>>& dtx, const Eigen::Ref<const Vector<T>>& x_norm2,
                   Eigen::Ref<Matrix<T>> codes, SampleResult* results);
  // Ga for the first `active` working columns: GEMM, or a sparse product once nnz ≤ k/ratio.
  void update_products(Index active);
  static constexpr Index kSparseProductRatio = 6;
  // Moves working column `from` to position `to` (compaction when a column converges).
  void move_column(Index from, Index to);

  Penalty penalty_;
  ProximalGradientOptions options_;
  const GramCache<T>* cache_ = nullptr;
  // Working set: column p holds the state of original column origin_[p].
  Matrix<T> a_, a_prev_, ga_, ga_prev_, c_;
  Vector<T> xn_, t_, objective_, grad_, restart_dot_;
  // The support of one column for the sparse product: atom indices and their coefficients.
  std::vector<Index> support_;
  Vector<T> support_values_;
  std::vector<Index> origin_;
  std::vector<int> iterations_;
};

}  // namespace sparsecode::solvers
