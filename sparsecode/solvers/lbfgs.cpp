// L-BFGS / OWL-QN outer loop over LBFGSpp's BFGS matrix and Nocedal–Wright line search.
#include "sparsecode/solvers/lbfgs.hpp"

#include <LBFGS.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <vector>

namespace sparsecode::solvers {

void LbfgsOptions::validate() const {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("L-BFGS: " + what); };
  if (max_iterations < 1) fail("max_iterations must be >= 1, got " + std::to_string(max_iterations));
  if (memory < 1) fail("memory must be >= 1, got " + std::to_string(memory));
  if (!(gradient_tolerance >= 0.0)) fail("gradient_tolerance must be >= 0");
  if (!(function_tolerance >= 0.0)) fail("function_tolerance must be >= 0");
  if (function_window < 1) fail("function_window must be >= 1, got " + std::to_string(function_window));
  if (max_line_search < 1) fail("max_line_search must be >= 1, got " + std::to_string(max_line_search));
  if (!(l1 >= 0.0) || !std::isfinite(l1)) fail("l1 must be finite and >= 0");
}

namespace {

double l1_norm(const Vector<double>& theta, Index penalized) { return theta.head(penalized).lpNorm<1>(); }

// Andrew & Gao's pseudo-gradient of J + l1‖θ_w‖₁: the minimum-norm subgradient.
void pseudo_gradient(const Vector<double>& theta, const Vector<double>& g, Index penalized, double l1,
                     Vector<double>& pg) {
  pg = g;
  for (Index i = 0; i < penalized; ++i) {
    if (theta(i) > 0.0) {
      pg(i) += l1;
    } else if (theta(i) < 0.0) {
      pg(i) -= l1;
    } else if (g(i) + l1 < 0.0) {
      pg(i) = g(i) + l1;
    } else if (g(i) - l1 > 0.0) {
      pg(i) = g(i) - l1;
    } else {
      pg(i) = 0.0;
    }
  }
}

}  // namespace

LbfgsSummary minimize_lbfgs(const SmoothFunction& f, Vector<double>& theta, Index penalized,
                            const LbfgsOptions& options, const IterationCallback& callback) {
  options.validate();
  if (penalized < 0 || penalized > theta.size()) {
    throw std::invalid_argument("L-BFGS: penalized count outside [0, size of theta]");
  }
  const double l1 = options.l1;
  const bool owlqn = l1 > 0.0;
  LbfgsSummary summary;
  const auto counted = [&](const Vector<double>& x, Vector<double>& g) {
    ++summary.evaluations;
    return f(x, g);
  };
  const Index n = theta.size();
  LBFGSpp::LBFGSParam<double> param;
  param.m = options.memory;
  param.max_linesearch = options.max_line_search;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  LBFGSpp::BFGSMat<double> bfgs;
  bfgs.reset(static_cast<int>(n), options.memory);

  Vector<double>& x = theta;
  Vector<double> grad(n), pg(n), xp(n), gradp(n), drt(n);
  double fx = counted(x, grad);  // smooth part only
  if (!std::isfinite(fx)) throw std::runtime_error("L-BFGS: the objective is not finite at the start");
  const auto total = [&](double smooth, const Vector<double>& at) {
    return owlqn ? smooth + l1 * l1_norm(at, penalized) : smooth;
  };
  const auto direction_gradient = [&]() -> const Vector<double>& {
    if (!owlqn) return grad;
    pseudo_gradient(x, grad, penalized, l1, pg);
    return pg;
  };
  const auto gradient_small = [&] {
    const Vector<double>& g = direction_gradient();
    if (options.gradient_test == LbfgsOptions::GradientTest::relative_norm) {
      return g.norm() <= options.gradient_tolerance * std::max(1.0, x.norm());
    }
    return g.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance;
  };
  summary.objective = total(fx, x);
  if (gradient_small()) {
    summary.reason = core::Termination::gradient_tolerance;
    return summary;
  }
  std::vector<double> history = {summary.objective};  // F after iteration k at index k
  drt = -direction_gradient();
  double step = 1.0 / std::max(drt.norm(), 1.0);
  for (int k = 1;; ++k) {
    xp = x;
    gradp = grad;
    const double fxp = fx;
    const double Fp = total(fx, x);
    bool failed = false;
    if (!owlqn) {
      try {
        LBFGSpp::LineSearchNocedalWright<double>::LineSearch(counted, fx, x, grad, step, drt, xp, param);
      } catch (const std::exception& e) {
        failed = true;
        summary.message = e.what();
      }
    } else {
      // OWL-QN: keep the direction in the orthant of −pg, project each trial point onto the
      // orthant of the start, backtrack until sufficient decrease of the full objective.
      const Vector<double>& pgk = direction_gradient();
      for (Index i = 0; i < penalized; ++i) {
        if (drt(i) * pgk(i) >= 0.0) drt(i) = 0.0;
      }
      Vector<double> orthant(penalized);
      for (Index i = 0; i < penalized; ++i) {
        orthant(i) = xp(i) != 0.0 ? (xp(i) > 0.0 ? 1.0 : -1.0) : (pgk(i) > 0.0 ? -1.0 : (pgk(i) < 0.0 ? 1.0 : 0.0));
      }
      const Vector<double> pg_start = pgk;
      failed = true;
      for (int t = 0; t < options.max_line_search; ++t) {
        x = xp + step * drt;
        for (Index i = 0; i < penalized; ++i) {
          if (x(i) * orthant(i) <= 0.0) x(i) = 0.0;
        }
        fx = counted(x, grad);
        if (std::isfinite(fx) && total(fx, x) <= Fp + 1e-4 * pg_start.dot(x - xp)) {
          failed = false;
          break;
        }
        step *= 0.5;
      }
      if (failed) summary.message = "the backtracking line search found no sufficient decrease";
    }
    const double F = total(fx, x);
    if (!failed && !(F < Fp)) {
      failed = true;
      summary.message = "the line search found no decrease";
    }
    if (failed) {
      x = xp;
      grad = gradp;
      fx = fxp;
      summary.reason = core::Termination::line_search_failed;
      break;
    }
    summary.iterations = k;
    summary.objective = F;
    if (callback && !callback(k, F)) {
      summary.reason = core::Termination::user_callback;
      break;
    }
    if (gradient_small()) {
      summary.reason = core::Termination::gradient_tolerance;
      break;
    }
    history.push_back(F);
    const double before = history[static_cast<std::size_t>(std::max(0, k - options.function_window))];
    if (k >= options.function_window && before - F <= options.function_tolerance * std::max(std::abs(F), 1.0)) {
      summary.reason = core::Termination::function_tolerance;
      break;
    }
    if (k >= options.max_iterations) {
      summary.reason = core::Termination::iterations;
      break;
    }
    const Vector<double> s = x - xp;
    const Vector<double> y = grad - gradp;
    if (s.dot(y) > 1e-12 * s.norm() * y.norm()) {
      bfgs.add_correction(s, y);
    }
    bfgs.apply_Hv(direction_gradient(), -1.0, drt);
    step = 1.0;
  }
  summary.objective = total(fx, x);
  return summary;
}

}  // namespace sparsecode::solvers
