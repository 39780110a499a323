// Dictionary update by block coordinate descent over atoms (Mairal, Bach, Ponce & Sapiro 2010, Alg. 2).
#pragma once

#include "sparsecode/solvers/dictionary_qp.hpp"

namespace sparsecode::solvers {

/// Options of update_dictionary_bcd().
struct DictionaryBcdOptions {
  /// Stop when the sweep's change ‖D_new − D_old‖_F ≤ tolerance · max(‖D_old‖_F, 1e-12)  (> 0).
  double tolerance = 1e-6;
  /// Sweeps over all atoms at most (≥ 1). The online learner uses few: D is warm-started and
  /// the statistics change little between mini-batches.
  int max_sweeps = 500;
  DictionaryConstraint constraint = DictionaryConstraint::unit_ball;
  /// Whether the summary gets the KKT residual (one extra d×k×k product: the online learner,
  /// which calls this every mini-batch, skips it; kkt_residual is then NaN).
  enum class Residual { compute, skip } residual = Residual::compute;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Solves the dictionary QP of dictionary_qp.hpp by exact minimization over one atom at a time,
/// warm-started from `d`:  d_j ← Π(d_j + (b_j − D a_j) / A_jj)  (a_j, b_j the j-th columns of
/// A and B). With the other atoms fixed, f is the isotropic quadratic ½A_jj‖d_j − u‖² + const,
/// so the projection of u is the exact block minimizer and f never increases. Atoms with
/// A_jj = 0 (unused) are left unchanged and counted. Shapes: A k×k, B d×k, D d×k (in/out).
template <class T>
DictionaryUpdateSummary update_dictionary_bcd(const Matrix<T>& a, const Matrix<T>& b,
                                              Matrix<T>& d, const DictionaryBcdOptions& options);

}  // namespace sparsecode::solvers
