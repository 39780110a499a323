// Cyclic coordinate descent for sparse codes on the Gram matrix, with active-set sweeps and warm starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of CoordinateDescent. Defaults are those of `sparsecode encode --solver cd`.
struct CoordinateDescentOptions {
  /// Stop when the relative duality gap is ≤ this (> 0). For float the solver never asks for
  /// less than 64·ε_float, which round-off in the gap itself cannot certify.
  double tolerance = 1e-6;
  int max_sweeps = 10000;  ///< full plus active-set sweeps per sample (> 0)

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

}  // namespace sparsecode::solvers
