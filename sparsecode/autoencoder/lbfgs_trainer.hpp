// Full-batch L-BFGS training of a sparse autoencoder (LBFGSpp's two-loop recursion and line search).
#pragma once

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "sparsecode/autoencoder/progress.hpp"
#include "sparsecode/solvers/lbfgs.hpp"

namespace sparsecode::autoencoder {

/// Options of full-batch L-BFGS (Nocedal & Wright, Numerical Optimization, 2006, Alg. 7.5) with
/// a strong-Wolfe line search (their Alg. 3.5/3.6), as minFunc in the UFLDL exercise.
struct LbfgsOptions {
  int max_iterations = 400;          ///< ≥ 1
  int memory = 10;                   ///< correction pairs kept (≥ 1)
  double gradient_tolerance = 1e-9;  ///< stop when ‖∇J‖ ≤ this · max(1, ‖θ‖) (≥ 0)
  double function_tolerance = 0.0;   ///< stop when J decreases by less than this (relative, ≥ 0)
  int max_line_search = 25;          ///< evaluations per line search (≥ 1)

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// The same settings for solvers::minimize_lbfgs (its relative-norm gradient test, a window
/// of one iteration for the function test).
solvers::LbfgsOptions to_solver_options(const LbfgsOptions& options);

/// Minimises J over θ = model.parameters() (starting from the current values) on d×m
/// `samples` by solvers::minimize_lbfgs. The data are checked first (Cost::check_data). Never
/// returns a worse θ than the start: a failed line search keeps the last accepted point.
TrainingSummary train_lbfgs(Model& model, const CostOptions& cost_options,
                            const Matrix<double>& samples, const LbfgsOptions& options,
                            const ProgressCallback& callback = {});

}  // namespace sparsecode::autoencoder
