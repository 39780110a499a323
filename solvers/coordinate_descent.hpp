// Cyclic coordinate descent for sparse codes on the Gram matrix, with active-set sweeps and warm starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of CoordinateDescent. Defaults are those of `sparsecode encode --solver cd`.
struct CoordinateDescentOptions {
  /// Stop when the relative duality gap is ≤ this (> 0). For float the solver never asks for
  /// less than 64·ε_float, which round-off in the gap itself cannot certify.
  double tolerance = 1e-6;
  int max_sweeps = 10000;  ///< full plus active-set sweeps per sample (> 0)

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

/// Cyclic coordinate descent (Friedman, Hastie & Tibshirani 2007/2010, "pathwise coordinate
/// optimization") for f(a) = ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 optionally), in Gram form.
/// The solver keeps g = c − Ga (c = Dᵀx); the exact minimiser along coordinate j is
/// a_j = S(g_j + G_jj a_j, λ) / (G_jj + λ₂) with S the soft threshold (max(·−λ, 0) for a ≥ 0),
/// and a change δ costs one axpy g −= δ·G_{:,j}.
///
/// Active-set strategy (glmnet's): a full sweep over all k coordinates, then sweeps over the
/// non-zero coordinates only until their objective decrease per sweep falls below a threshold,
/// then a full sweep again to let new coordinates in. The duality gap, O(k) from the maintained
/// g, is checked after every sweep; the threshold shrinks tenfold whenever a full sweep changes
/// nothing yet the gap is still above tolerance. Warm starts enter through `code`.
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
  // One sweep over all k coordinates (`full`) or the active set. Returns Σ ½(G_jj + λ₂)δ_j², the objective
  // decrease of the sweep, and whether any coordinate became non-zero.
  T sweep(Eigen::Ref<Vector<T>> code, bool full, bool& support_grew);

  Penalty penalty_;
  CoordinateDescentOptions options_;
  const GramCache<T>* cache_ = nullptr;
  Vector<T> g_;     // c − Ga
  Vector<T> grad_;  // scratch for the certificate
  std::vector<Index> active_;
};

}  // namespace sparsecode::solvers
