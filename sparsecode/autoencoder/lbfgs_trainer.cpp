// Full-batch L-BFGS training of the autoencoder: solvers::minimize_lbfgs with per-iteration reports.
#include "sparsecode/autoencoder/lbfgs_trainer.hpp"

#include "sparsecode/core/internal/stopwatch.hpp"

namespace sparsecode::autoencoder {

void LbfgsOptions::validate() const { to_solver_options(*this).validate(); }

solvers::LbfgsOptions to_solver_options(const LbfgsOptions& options) {
  solvers::LbfgsOptions o;
  o.max_iterations = options.max_iterations;
  o.memory = options.memory;
  o.gradient_tolerance = options.gradient_tolerance;
  o.gradient_test = solvers::LbfgsOptions::GradientTest::relative_norm;
  o.function_tolerance = options.function_tolerance;
  o.function_window = 1;
  o.max_line_search = options.max_line_search;
  return o;
}

TrainingSummary train_lbfgs(Model& model, const CostOptions& cost_options,
                            const Matrix<double>& samples, const LbfgsOptions& options,
                            const ProgressCallback& callback) {
  const solvers::LbfgsOptions lbfgs = to_solver_options(options);
  lbfgs.validate();
  Cost cost(model.architecture(), cost_options);
  cost.check_data(samples);
  const core::internal::Stopwatch elapsed;
  TrainingSummary summary;
  CostTerms last_terms;     // of the latest evaluation: after a line search, the accepted point
  CostTerms initial_terms;  // of the first evaluation, at the starting θ
  bool first = true;
  const auto f = [&](const Vector<double>& theta, Vector<double>& gradient) {
    const double j = cost.evaluate(theta, samples, &gradient, &last_terms);
    if (first) {
      summary.initial_cost = j;
      initial_terms = last_terms;
      first = false;
    }
    return j;
  };
  Vector<double> theta = model.parameters();
  CostTerms accepted;  // the terms at the last accepted iterate, i.e. at the θ returned
  const solvers::LbfgsSummary s = solvers::minimize_lbfgs(f, theta, 0, lbfgs, [&](int k, double) {
    accepted = last_terms;
    if (!callback) return true;
    Progress progress;
    progress.iteration = k;
    progress.terms = accepted;
    progress.seconds = elapsed.seconds();
    return callback(progress) != CallbackResult::stop;
  });
  if (s.iterations == 0) accepted = initial_terms;  // no iteration accepted: θ is the start
  summary.termination = s.reason;
  summary.iterations = s.iterations;
  summary.evaluations = s.evaluations;
  summary.message = s.message;
  model.set_parameters(theta);
  summary.final_terms = accepted;
  summary.seconds = elapsed.seconds();
  return summary;
}

}  // namespace sparsecode::autoencoder
