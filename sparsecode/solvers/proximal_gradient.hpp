// ISTA and FISTA for sparse codes in Gram form, with adaptive restart and a batched (one GEMM per iteration) mode.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"
#include "sparsecode/solvers/face_polish.hpp"
#include "sparsecode/solvers/gap_safe_screening.hpp"

namespace sparsecode::solvers {

enum class ProximalMethod {
  ista,   ///< plain proximal gradient: O(1/k)
  fista,  ///< Nesterov momentum (Beck & Teboulle 2009): O(1/k²)
};

/// Adaptive restart of the momentum (O'Donoghue & Candès 2015); FISTA only.
enum class RestartScheme {
  none,
  gradient,  ///< restart when (y − a⁺)ᵀ(a⁺ − a) > 0, i.e. the step goes against the momentum
  function,  ///< restart when the objective increases
};

/// Options of ProximalGradient. Defaults are those of `sparsecode encode --solver fista`.
struct ProximalGradientOptions {
  ProximalMethod method = ProximalMethod::fista;
  RestartScheme restart = RestartScheme::gradient;
  /// Stop a column when its relative duality gap is ≤ this (> 0). For float the solver never
  /// asks for less than 64·ε_float, which round-off in the gap itself cannot certify.
  double tolerance = 1e-6;
  int max_iterations = 20000;  ///< per column (> 0)
  int check_every = 5;         ///< iterations between duality-gap checks (> 0)
  /// Columns iterated together by solve_block (> 0): each iteration is one k×k by k×width GEMM.
  Index block_width = 64;
  /// Off by default: on the benchmark's patches the reduction costs more than it saves once face
  /// polishing stops columns at support identification (figures: bench/RESULTS-encode.md).
  ScreeningRule screening = ScreeningRule::none;
  FacePolishing polishing = FacePolishing::stable_signs;
  /// For T = double, Arithmetic::mixed computes the products Ga in float while a column's gap,
  /// estimated from them, is above max(tolerance, 1e-5) (float round-off in Ga is ~1e-7
  /// relative, well below that). A column's stopping certificate always comes from a product in
  /// double, and from then on its products are in double. With screening, whose safe radius
  /// needs an exact gap, the products are always in double.
  Arithmetic arithmetic = Arithmetic::mixed;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

}  // namespace sparsecode::solvers
