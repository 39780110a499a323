// The dictionary-update QP shared by its solvers: objective, constraint set, KKT residual, summary.
#pragma once

#include <string>

#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers {

/// The dictionary step of alternating optimization, on sufficient statistics
/// A = Σ a aᵀ (k×k) and B = Σ x aᵀ (d×k) of the codes a and signals x:
///   min_D  f(D) = ½ tr(Dᵀ D A) − tr(Dᵀ B)   s.t. ‖d_j‖₂ ≤ 1 for every atom (and D ≥ 0),
/// which equals ½ Σ ‖x − D a‖² up to the constant ½ Σ ‖x‖². The gradient is ∇f = D A − B.
enum class DictionaryConstraint {
  unit_ball,             ///< ‖d_j‖₂ ≤ 1
  nonnegative_unit_ball  ///< d_j ≥ 0 and ‖d_j‖₂ ≤ 1 (non-negative dictionary)
};

enum class DictionaryTermination {
  converged,        ///< the solver's own criterion met (relative change or KKT residual ≤ tolerance)
  max_iterations,   ///< iteration cap reached first
  numerical_issue,  ///< e.g. a singular Newton system in the Lagrange dual
};

std::string to_string(DictionaryTermination termination);

/// Outcome of one dictionary update.
struct DictionaryUpdateSummary {
  DictionaryTermination termination = DictionaryTermination::converged;
  int iterations = 0;          ///< BCD sweeps or Newton steps
  double kkt_residual = 0.0;   ///< dictionary_kkt_residual() of the returned D (NaN if skipped)
  double objective = 0.0;      ///< f(D) of the returned D (NaN if skipped)
  Index unused_atoms = 0;      ///< atoms with A_jj = 0 (no code used them): left unchanged
};

/// Euclidean projection of one atom onto the constraint set: clip negatives (for the
/// non-negative set, which commutes with the ball projection in this order), then scale into
/// the unit ball.
template <class T>
void project_atom(Eigen::Ref<Vector<T>> atom, DictionaryConstraint constraint);

/// f(D) = ½ tr(Dᵀ D A) − tr(Dᵀ B).
template <class T>
double dictionary_objective(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d);

/// Optimality measure of D for the QP: max over used atoms (A_jj > 0) of
/// ‖d_j − Π(d_j − g_j / A_jj)‖₂ with g = D A − B, the block projected-gradient step that block
/// coordinate descent would take. It is 0 exactly when every block is optimal, which for this
/// convex problem with a block-separable constraint set is the KKT system
/// g_j + μ_j d_j (− ν_j) = 0, μ_j ≥ 0, μ_j (‖d_j‖² − 1) = 0 (ν ≥ 0 ⟂ d_j ≥ 0 when non-negative).
/// Atoms are unit-scale, so the residual is dimensionless.
template <class T>
double dictionary_kkt_residual(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d,
                               DictionaryConstraint constraint);

/// Throws std::invalid_argument naming the argument unless A is k×k, B is d×k, D is d×k, k ≥ 1
/// and all are finite.
template <class T>
void check_dictionary_qp(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d);

}  // namespace sparsecode::solvers
