// Gap-safe screening: atoms that a duality gap proves to be zero at the optimum, and the step bound of what remains.
#pragma once

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Which atoms a column may drop while it iterates.
enum class ScreeningRule {
  none,
  /// The gap-safe sphere test below at every gap check: atoms proven zero at the optimum are
  /// dropped (FISTA/ISTA continue on the survivors once at most half remain).
  gap_safe,
};


/// Gap-safe sphere test (Fercoq, Gramfort & Salmon, "Mind the duality gap: safer rules for the
/// Lasso", ICML 2015; Ndiaye, Fercoq, Gramfort & Salmon, JMLR 2017). The dual of the (augmented)
/// problem, max ½‖x‖² − ½‖x − ν‖² subject to |d̃_jᵀν| ≤ λ (d̃_jᵀν ≤ λ for a ≥ 0), is 1-strongly
/// concave, so the optimal ν* lies within √(2·gap) of the feasible point ν = s·r̃ whose gap the
/// certificate reports (primal minus the dual at ν, not the elastic net's strong-convexity
/// bound). Atom j can be active at the optimum only if |d̃_jᵀν*| = λ, so it is zero there when
///   s·|g_j| + ‖d̃_j‖·√(2·gap) < λ      (s·g_j for a ≥ 0),
/// with g = D̃ᵀr̃ = c − Ga − λ₂a as certify_from_gradient leaves it and ‖d̃_j‖ = √(G_jj + λ₂).
///
/// Writes the indices of the atoms that pass no test (those that may be non-zero at the optimum),
/// in increasing order, to `kept` (room for g.size()) and returns their number. The gap is
/// inflated by the round-off of its computation, so the test stays safe in floating point.
/// Without a dual point (λ = 0) every atom is kept.
template <class T>
Index gap_safe_survivors(const Eigen::Ref<const Vector<T>>& correlation, const Certificate<T>& certificate,
                         const Eigen::Ref<const Vector<T>>& atom_norms, const Penalty& penalty, Index* kept);

/// An upper bound on λ_max of the n×n symmetric matrix stored column-major at `gram`: the smaller
/// of its largest absolute row sum (Gershgorin) and its Frobenius norm. For the Gram matrix of
/// the atoms that survive screening it is usually far below λ_max(G), so the reduced problem
/// may take longer safe steps 1/L.
template <class T>
T principal_eigenvalue_bound(const T* gram, Index n);

}  // namespace sparsecode::solvers
