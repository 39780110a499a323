// Feature-sign search (Lee, Battle, Raina & Ng, NIPS 2006) for the LASSO in Gram form.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of FeatureSign.
struct FeatureSignOptions {
  /// Largest number of active-set QP solves per sample; 0: 10·k + 10.
  int max_iterations = 0;
  /// Relative tolerance of the optimality tests: a zero coefficient violates when
  /// |∂_j| > λ(1 + this) (scaled by the data), which guards against cycling on round-off.
  double kkt_tolerance = 1e-12;
  /// A Cholesky pivot² ≤ this times the diagonal marks a linearly dependent active set. In (0, 1).
  double pivot_tolerance = 1e-10;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

}  // namespace sparsecode::solvers
