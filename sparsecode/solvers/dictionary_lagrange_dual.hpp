// Dictionary update by Newton's method on the Lagrange dual (Lee, Battle, Raina & Ng, NIPS 2006).
#pragma once

#include "sparsecode/solvers/dictionary_qp.hpp"

namespace sparsecode::solvers {

/// Options of update_dictionary_lagrange_dual().
struct LagrangeDualOptions {
  /// Stop when dictionary_kkt_residual() of the (projected) primal D ≤ tolerance  (> 0).
  double tolerance = 1e-8;
  int max_iterations = 100;      ///< Newton steps at most (≥ 1)
  int max_line_search = 40;      ///< step halvings per Newton step (≥ 1)

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Solves the dictionary QP of dictionary_qp.hpp with the unit-ball constraint (the only one the
/// dual handles in closed form) through its Lagrange dual. With multipliers μ ≥ 0 (one per
/// atom), the Lagrangian ½tr(DᵀDA) − tr(DᵀB) + ½Σ μ_j(‖d_j‖² − 1) is minimized by
/// D(μ) = B (A + diag μ)⁻¹, giving the concave dual
///   g(μ) = −½ tr(Bᵀ B C) − ½ Σ μ_j,   C = (A + diag μ)⁻¹,
/// with ∂g/∂μ_j = ½(‖d_j‖² − 1) and Hessian −(DᵀD ∘ C). We maximize g over μ ≥ 0 by projected
/// Newton steps on the free multipliers (those not held at 0 by a negative gradient) with an
/// Armijo backtracking line search; every quantity lives in k×k space (BᵀB is formed once).
/// The returned D = B C is projected onto the ball (a change of the order of the residual) so
/// it is feasible. Atoms with A_jj = 0 are left unchanged. Summary: Newton steps, KKT residual.
template <class T>
DictionaryUpdateSummary update_dictionary_lagrange_dual(const Matrix<T>& a, const Matrix<T>& b,
                                                        Matrix<T>& d,
                                                        const LagrangeDualOptions& options);

}  // namespace sparsecode::solvers
