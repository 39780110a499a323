// The CoordinateDescent solver class behind the options in solvers/coordinate_descent.hpp (implementation; not installed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/coordinate_descent.hpp"

namespace sparsecode::solvers::internal {

/// Cyclic coordinate descent (Friedman, Hastie & Tibshirani 2007/2010, "pathwise coordinate
/// optimization") for f(a) = ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 optionally), in Gram form.
/// The solver keeps g = c − Ga (c = Dᵀx); the exact minimiser along coordinate j is
/// a_j = S(g_j + G_jj a_j, λ) / (G_jj + λ₂) with S the soft threshold (max(·−λ, 0) for a ≥ 0),
/// and a change δ costs one axpy g −= δ·G_{:,j}.
///
/// Active-set strategy (glmnet's): a full sweep over all k coordinates, then sweeps over the
/// non-zero coordinates only until their objective decrease per sweep falls below a threshold,
/// then a full sweep again to let new coordinates in. Active sweeps run on a compact copy of
/// G_AA, g_A and a_A (s = |A| non-zeros: O(s²) per sweep instead of O(s·k)); the full g is
/// brought up to date once per active phase (O(s·k)). The duality gap, O(k) from the maintained
/// g, is checked after every full sweep and every active phase; the threshold shrinks tenfold
/// whenever a full sweep grows no support yet the gap is still above tolerance. Warm starts
/// enter through `code`.
///
/// Sign-pattern step: CD converges slowly on correlated atoms once the support is found, so
/// whenever an active sweep leaves the support and signs σ unchanged, the solver tries the exact
/// minimiser on that face, (G_SS + λ₂I) a_S = c_S − λσ (Cholesky of the s×s block, in a
/// preallocated workspace). If its signs equal σ it is taken whole (it minimises f over the
/// face); otherwise the iterate moves towards it up to the first coordinate that reaches zero,
/// which leaves the support (feature-sign search's line search). Either way f never increases. The duality gap still decides
/// convergence, and full sweeps still let missing atoms in.
template <class T>
class CoordinateDescent final : public CodeSolver<T> {
 public:
  CoordinateDescent(const Penalty& penalty, const CoordinateDescentOptions& options);

  void prepare(const GramCache<T>& cache) override;
  SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                     Eigen::Ref<Vector<T>> code) override;
  std::unique_ptr<CodeSolver<T>> clone() const override;
  std::string name() const override { return "cd"; }

 private:
  // One sweep over all k coordinates. Returns Σ ½(G_jj + λ₂)δ_j², the objective decrease of the
  // sweep, and whether any coordinate became non-zero; rebuilds the active set.
  T full_sweep(Eigen::Ref<Vector<T>> code, bool& support_grew);
  // Active sweeps on the compact problem until a sweep decreases the objective by ≤ threshold
  // (or the sweep budget `budget` runs out); writes a_A back and updates g. Returns the sweeps done.
  int active_phase(Eigen::Ref<Vector<T>> code, const Eigen::Ref<const Vector<T>>& dtx, T threshold, int budget);
  // The sign-pattern step on the compact problem; returns whether the whole step was taken.
  bool face_step(const Eigen::Ref<const Vector<T>>& dtx, Index s);
  // Soft-thresholded exact coordinate minimiser for z = g_j + G_jj·a_j.
  T coordinate_minimizer(T z, T curvature) const;

  Penalty penalty_;
  CoordinateDescentOptions options_;
  const GramCache<T>* cache_ = nullptr;
  Vector<T> g_;         // c − Ga
  Vector<T> grad_;      // scratch for the certificate
  Vector<T> diagonal_;  // G_jj, contiguous (the diagonal of G is strided)
  std::vector<Index> active_;
  Vector<T> gram_active_;  // G_AA stored s×s column-major (capacity k²)
  Vector<T> g_active_;     // g_A
  Vector<T> a_active_;     // a_A
  Vector<T> a_start_;      // a_A at the start of the active phase
  Vector<T> chol_;         // Cholesky factor of G_SS + λ₂I (capacity k²)
  Vector<T> inverse_diagonal_;  // 1/U_rr of that factor
  Vector<T> face_;         // right-hand side, then solution, of the sign-pattern step
  std::vector<Index> face_index_;  // positions in A of the non-zeros S
};

}  // namespace sparsecode::solvers::internal
