// Full-batch L-BFGS for smooth objectives and OWL-QN (Andrew & Gao 2007) when an L1 penalty is added: the classifiers' and the autoencoder's optimizer.
#pragma once

#include <functional>
#include <string>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers {

/// Options of minimize_lbfgs; validate() names the field that is out of range.
struct LbfgsOptions {
  /// What gradient_tolerance bounds: the largest entry of ∇J (of the pseudo-gradient with L1),
  /// or ‖∇J‖₂ / max(1, ‖θ‖₂) (minFunc's test, which the autoencoder's trainer uses).
  enum class GradientTest { max_abs, relative_norm };

  int max_iterations = 300;            ///< ≥ 1
  int memory = 10;                     ///< correction pairs kept (≥ 1)
  double gradient_tolerance = 1e-5;    ///< the gradient test's bound, ≥ 0
  GradientTest gradient_test = GradientTest::max_abs;
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
/// Called after each accepted iteration with (iteration, objective); return false to stop
/// (the summary's reason is then user_callback).
using IterationCallback = std::function<bool(int, double)>;

/// Minimises J(θ) + l1·Σ_{i < penalized} |θ_i| from the given θ (updated in place). Without L1
/// this is L-BFGS (Nocedal & Wright Alg. 7.5) with LBFGSpp's two-loop recursion and
/// strong-Wolfe line search; with L1 it is OWL-QN: the pseudo-gradient, the direction
/// restricted to its orthant and a backtracking search projected onto the orthant.
/// Never returns a worse θ than the start.
LbfgsSummary minimize_lbfgs(const SmoothFunction& f, Vector<double>& theta, Index penalized,
                            const LbfgsOptions& options, const IterationCallback& callback = {});

}  // namespace sparsecode::solvers
