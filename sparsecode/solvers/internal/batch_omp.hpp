// The BatchOmp solver class behind the options in solvers/omp.hpp (implementation; not installed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/internal/active_cholesky.hpp"
#include "sparsecode/solvers/internal/active_columns.hpp"
#include "sparsecode/solvers/omp.hpp"

namespace sparsecode::solvers::internal {

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
  internal::ActiveCholesky<T> chol_;      // RᵀR = G_II, with R⁻¹ kept
  internal::ActiveColumns<T> columns_;    // G_{·I}, in selection order
  Vector<T> alpha_;             // correlations α = c − G_{·I}a_I
  Vector<T> coef_;              // a_I
  Vector<T> projected_;         // z = R⁻ᵀc_I
  Vector<T> available_;         // per atom: 1 if not selected, 0 if selected
  Vector<T> scores_;            // per atom: |α_j|·available_j, searched for the selection
  std::vector<Index> support_;  // I, in selection order
};

}  // namespace sparsecode::solvers::internal
