// LARS-Lasso homotopy (Efron et al. 2004) in Gram form with incremental Cholesky updates.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of LarsLasso.
struct LarsOptions {
  /// Largest number of path steps (each adds or drops one variable); 0: 4·k.
  int max_steps = 0;
  /// A new atom whose Cholesky pivot² is ≤ this times its Gram diagonal (G_jj + λ₂) is linearly
  /// dependent on the active set (duplicate or collinear atom) and is skipped. In (0, 1).
  double pivot_tolerance = 1e-10;

  /// For T = double, Arithmetic::mixed runs the path's O(k) work per step (the direction
  /// u = G_{·A}w over all atoms, the correlations, the entry scan) in float, while the Cholesky
  /// factor, the coefficients and the final solve at λ stay in double. The result is then
  /// checked against the KKT conditions in double (relative slack `kkt_tolerance`); a sample
  /// that fails (float round-off changed the order of two nearly simultaneous events) is solved
  /// again with the path in double. Arithmetic::full: T throughout.
  Arithmetic arithmetic = Arithmetic::mixed;
  /// For Arithmetic::mixed: the largest KKT violation accepted (Certificate::stationarity,
  /// relative to ‖Dᵀx‖∞). In (0, 1e-6].
  double kkt_tolerance = 1e-12;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

}  // namespace sparsecode::solvers
