// The ProximalGradient solver class behind the options in solvers/proximal_gradient.hpp (implementation; not installed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/proximal_gradient.hpp"

namespace sparsecode::solvers::internal {

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
///
/// Gap-safe screening (ScreeningRule::gap_safe, opt-in): at each gap check the sphere test proves atoms
/// zero at the optimum (gap_safe_screening.hpp). Once at most half of the atoms survive, the
/// column leaves the block and runs on the reduced problem alone: the survivors' Gram block G_SS
/// packed contiguously (k_S² entries, cache-resident), the step 1/L_S with L_S ≤ λ_max(G_SS)
/// bounded by Gershgorin and Frobenius (often a fraction of L), screening again as the gap
/// shrinks. The reduced problem has the same minimiser, and its duality gap bounds the full
/// problem's suboptimality; the column still stops only when the full problem's certificate
/// meets the tolerance (one product with G at the end). Should it not, the column resumes on
/// all atoms without screening.
///
/// Face polishing (FacePolishing::stable_signs): the scaled-residual duality gap certifies an
/// iterate much later than the iterate is accurate (on natural patches, FISTA's suboptimality
/// reaches 1e-4 in about half the iterations its gap needs). Once the sign pattern has held
/// between two gap checks, one Cholesky solve gives the minimiser on that face; when its own
/// gap certifies it, it is the result (face_polish.hpp).
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
  static constexpr Index kSparseProductRatio = 2;
  // Mixed arithmetic: the gap estimate below which a column's products go to double.
  static constexpr double kFloatGapFloor = 1e-5;
  // Ga for working column p from the sparse product in float (mixed arithmetic) or in T.
  void float_product(Index p);
  void exact_product(Index p);
  // Moves working column `from` to position `to` (compaction when a column converges).
  void move_column(Index from, Index to);
  // How a column that went to its screened atoms ended.
  enum class ScreenedOutcome { converged, max_iterations, unverified };
  // Runs working column p on the `kept` atoms listed in kept_ until the full problem's gap meets
  // the tolerance; leaves the code and Ga in the column (a_, ga_) whatever the outcome.
  ScreenedOutcome solve_screened(Index p, Index kept, T tolerance);
  // Face polishing of code a (length n, Gram `gram` with leading dimension n) when its sign
  // signature equals `signature` (the previous check's) and differs from `polished` (the last
  // one tried); updates both. True if a (and ga) now hold a certified minimiser.
  bool try_polish(const T* gram, Index n, const T* c, T x_norm2, T tolerance, T* a, T* ga,
                  std::uint64_t& signature, std::uint64_t& polished);
  // G_SS for the atoms in kept_[0, n), packed with leading dimension n, c_S and ‖d̃_j‖ for them;
  // returns the step bound min(L, principal_eigenvalue_bound(G_SS)).
  T gather_screened(Index p, Index n);

  Penalty penalty_;
  ProximalGradientOptions options_;
  const GramCache<T>* cache_ = nullptr;
  // Working set: column p holds the state of original column origin_[p].
  Matrix<T> a_, a_prev_, ga_, ga_prev_, c_;
  Vector<T> xn_, t_, objective_, grad_, restart_dot_;
  // The support's coefficients for the sparse product.
  Vector<T> support_values_;
  std::vector<Index> origin_;
  std::vector<int> iterations_;
  std::vector<char> screen_;  // per working column: screening still allowed
  // Per working column: the sign signature at the last check, and the last one polished.
  std::vector<std::uint64_t> signature_, polished_;
  FacePolish<T> polish_;
  // Screening: ‖d̃_j‖ = √(G_jj + λ₂); the kept atoms; the reduced problem's state.
  Vector<T> atom_norms_;
  std::vector<Index> kept_, positions_;  // kept atoms; survivors' positions within them
  Vector<T> reduced_gram_, ra_, ra_prev_, rga_, rga_prev_, rc_, rnorms_, rgrad_;
  std::vector<Index> support_;  // the support's atoms for internal::weighted_column_sum
  // Mixed arithmetic (T = double; G in float comes from the cache): the float products'
  // operands, and per working column whether its products are in T already.
  bool float_products_ = false;
  Matrix<float> a_float_, ga_float_;
  Vector<float> values_float_, out_float_;
  std::vector<char> exact_;
};

}  // namespace sparsecode::solvers::internal
