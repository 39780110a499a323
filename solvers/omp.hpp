// Batch orthogonal matching pursuit (Rubinstein, Zibulevsky & Elad 2008) with progressive Cholesky.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "solvers/active_cholesky.hpp"
#include "solvers/active_columns.hpp"
#include "solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of BatchOmp.
struct OmpOptions {
  /// Sparsity target L: the largest number of atoms selected; 0: min(d, k) (as many as useful).
  int max_atoms = 0;
  /// Stop as soon as ‖x − Da‖² ≤ this (ε); 0: off. ≥ 0.
  double residual_tolerance = 0.0;
  /// An atom whose Cholesky pivot² is ≤ this times G_jj is (numerically) in the span of the
  /// selected atoms; OMP then stops (the residual cannot decrease further). In (0, 1).
  double pivot_tolerance = 1e-10;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

/// Greedy approximation of min_a ‖x − Da‖² s.t. ‖a‖₀ ≤ L (and/or ‖x − Da‖² ≤ ε) by orthogonal
/// matching pursuit in the Gram form of Batch-OMP (Rubinstein, Zibulevsky & Elad, "Efficient
/// implementation of the K-SVD algorithm using batch orthogonal matching pursuit", Technion
/// CS-2008-08): the correlations are α = c − G_{·I}a_I, the factor L of G_II grows by one row
/// per selected atom, and the residual energy follows ‖r‖² = ‖x‖² − cᵢᵀa_I (so x_norm2 is
/// required). The Penalty does not apply; termination is target_reached.
/// Shapes: G k×k, c and a length k. Iterations in SampleResult count selected atoms.
template <class T>
class BatchOmp : public CodeSolver<T> {
 public:
  explicit BatchOmp(const OmpOptions& options = {});

  void prepare(const GramCache<T>& cache) override;
  SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                     Eigen::Ref<Vector<T>> code) override;
  std::unique_ptr<CodeSolver<T>> clone() const override;
  std::string name() const override { return "omp"; }

 private:
  OmpOptions options_;
  const GramCache<T>* cache_ = nullptr;
  // Workspace, sized in prepare().
  ActiveCholesky<T> chol_;      // RᵀR = G_II, with R⁻¹ kept
  ActiveColumns<T> columns_;    // G_{·I}, in selection order
  Vector<T> alpha_;             // correlations α = c − G_{·I}a_I
  Vector<T> coef_;              // a_I
  Vector<T> projected_;         // z = R⁻ᵀc_I
  Vector<T> available_;         // per atom: 1 if not selected, 0 if selected
  Vector<T> scores_;            // per atom: |α_j|·available_j, searched for the selection
  std::vector<Index> support_;  // I, in selection order
};

}  // namespace sparsecode::solvers
