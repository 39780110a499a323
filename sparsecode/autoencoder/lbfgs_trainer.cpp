// Full-batch L-BFGS driver: LBFGSpp's BFGS matrix and Nocedal–Wright line search, with per-iteration reports.
#include "sparsecode/autoencoder/lbfgs_trainer.hpp"

#include <LBFGS.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>

namespace sparsecode::autoencoder {

void LbfgsOptions::validate() const {
  if (max_iterations < 1) {
    throw std::invalid_argument("L-BFGS: max_iterations must be >= 1, got " +
                                std::to_string(max_iterations));
  }
  if (memory < 1) {
    throw std::invalid_argument("L-BFGS: memory must be >= 1, got " + std::to_string(memory));
  }
  if (!(gradient_tolerance >= 0.0)) {
    throw std::invalid_argument("L-BFGS: gradient_tolerance must be >= 0, got " +
                                std::to_string(gradient_tolerance));
  }
  if (!(function_tolerance >= 0.0)) {
    throw std::invalid_argument("L-BFGS: function_tolerance must be >= 0, got " +
                                std::to_string(function_tolerance));
  }
  if (max_line_search < 1) {
    throw std::invalid_argument("L-BFGS: max_line_search must be >= 1, got " +
                                std::to_string(max_line_search));
  }
}

// LBFGSpp's LBFGSSolver::minimize offers no per-iteration hook, so the outer loop is ours
// (Nocedal & Wright Alg. 7.5) while the two-loop recursion and the line search are LBFGSpp's.
TrainingSummary train_lbfgs(Model& model, const CostOptions& cost_options,
                            const Matrix<double>& samples, const LbfgsOptions& options,
                            const ProgressCallback& callback) {
  options.validate();
  Cost cost(model.architecture(), cost_options);
  cost.check_data(samples);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  LBFGSpp::LBFGSParam<double> param;
  param.m = options.memory;
  param.max_linesearch = options.max_line_search;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  const Index n = model.parameters().size();
  LBFGSpp::BFGSMat<double> bfgs;
  bfgs.reset(static_cast<int>(n), options.memory);

  TrainingSummary summary;
  CostTerms last_terms;
  const auto f = [&](const Vector<double>& theta, Vector<double>& gradient) {
    ++summary.evaluations;
    return cost.evaluate(theta, samples, &gradient, &last_terms);
  };
  Vector<double> x = model.parameters();
  Vector<double> grad(n), xp(n), gradp(n), drt(n);
  double fx = f(x, grad);
  summary.initial_cost = fx;
  CostTerms accepted = last_terms;
  const auto converged = [&] {
    return grad.norm() <= options.gradient_tolerance * std::max(1.0, x.norm());
  };

  if (!std::isfinite(fx)) {
    throw std::runtime_error("L-BFGS: the cost is not finite at the initial parameters");
  }
  if (converged()) {
    summary.termination = Termination::gradient_tolerance;
  } else {
    drt = -grad;
    double step = 1.0 / drt.norm();
    for (int k = 1;; ++k) {
      xp = x;
      gradp = grad;
      const double fxp = fx;
      bool failed = false;
      try {
        LBFGSpp::LineSearchNocedalWright<double>::LineSearch(f, fx, x, grad, step, drt, xp, param);
      } catch (const std::exception& e) {
        failed = true;
        summary.message = e.what();
      }
      // LBFGSpp's line search may also stop at its evaluation budget on a worse point.
      if (!failed && !(fx < fxp)) {
        failed = true;
        summary.message = "the line search found no decrease";
      }
      if (failed) {
        x = xp;
        grad = gradp;
        fx = fxp;
        summary.termination = Termination::line_search_failed;
        break;
      }
      accepted = last_terms;
      summary.iterations = k;
      if (callback) {
        Progress progress;
        progress.iteration = k;
        progress.terms = accepted;
        progress.seconds = elapsed();
        if (callback(progress) == CallbackResult::stop) {
          summary.termination = Termination::user_callback;
          break;
        }
      }
      if (converged()) {
        summary.termination = Termination::gradient_tolerance;
        break;
      }
      if (fxp - fx <= options.function_tolerance * std::max({std::abs(fx), std::abs(fxp), 1.0})) {
        summary.termination = Termination::function_tolerance;
        break;
      }
      if (k >= options.max_iterations) {
        summary.termination = Termination::iterations;
        break;
      }
      // A pair without positive curvature would break the inverse-Hessian approximation.
      const Vector<double> s = x - xp;
      const Vector<double> y = grad - gradp;
      if (s.dot(y) > 1e-12 * s.norm() * y.norm()) {
        bfgs.add_correction(s, y);
      }
      bfgs.apply_Hv(grad, -1.0, drt);
      step = 1.0;
    }
  }
  model.set_parameters(x);
  summary.final_terms = accepted;
  summary.seconds = elapsed();
  return summary;
}

}  // namespace sparsecode::autoencoder
