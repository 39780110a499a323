// Full-batch L-BFGS for smooth objectives and OWL-QN (Andrew & Gao 2007) when an L1 penalty is added.
#pragma once

#include <functional>
#include <string>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

struct LbfgsOptions {
  int max_iterations = 300;            ///< ≥ 1
  int memory = 10;                     ///< correction pairs kept (≥ 1)
  double gradient_tolerance = 1e-5;    ///< on ‖∇J‖∞ (the pseudo-gradient with L1), ≥ 0
  /// Stop when the objective decreased by less than function_tolerance·max(|J|, 1) over the
  /// last function_window iterations (L-BFGS progress comes in bursts, so one iteration says
  /// little), ≥ 0.
  double function_tolerance = 1e-9;
  int function_window = 1;             ///< ≥ 1
  int max_line_search = 30;            ///< evaluations per line search (≥ 1)
  double l1 = 0.0;                     ///< penalty l1·‖θ_{0..penalized−1}‖₁ (OWL-QN when > 0), ≥ 0

  void validate() const;  ///< throws std::invalid_argument naming the field
};

struct LbfgsSummary {
  core::Termination reason = core::Termination::iterations;
  int iterations = 0;
  int evaluations = 0;
  double objective = 0.0;  ///< J(θ) + l1‖θ_w‖₁ at the returned θ
  std::string message;     ///< the line search's complaint, if any
};

/// f(θ, gradient) returns the smooth part J(θ) and writes ∇J.
using SmoothFunction = std::function<double(const Vector<double>&, Vector<double>&)>;
/// Called after each accepted iteration with (iteration, objective); return false to stop.
using IterationCallback = std::function<bool(int, double)>;

/// Minimises J(θ) + l1·Σ_{i < penalized} |θ_i| from the given θ (updated in place). Without L1
/// this is L-BFGS (Nocedal & Wright Alg. 7.5) with LBFGSpp's two-loop recursion and
/// strong-Wolfe line search; with L1 it is OWL-QN: the pseudo-gradient, the direction
/// restricted to its orthant and a backtracking search projected onto the orthant.
/// Never returns a worse θ than the start.
LbfgsSummary minimize_lbfgs(const SmoothFunction& f, Vector<double>& theta, Index penalized,
                            const LbfgsOptions& options, const IterationCallback& callback = {});

}  // namespace sparsecode::classify
