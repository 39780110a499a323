// Batch orthogonal matching pursuit (Rubinstein, Zibulevsky & Elad 2008) with progressive Cholesky.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

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

}  // namespace sparsecode::solvers
