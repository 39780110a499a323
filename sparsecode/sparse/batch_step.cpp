// Batch alternating-optimization step: exact codes for all samples, then the exact dictionary QP.
#include "sparsecode/sparse/batch_step.hpp"

#include <cmath>

#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/solvers/dictionary_lagrange_dual.hpp"
#include "sparsecode/sparse/atom_replacement.hpp"

namespace sparsecode::sparse {

StepOutcome BatchStep::step(const Matrix<double>& data, LearnerState& state) {
  StepOutcome outcome = step_on(data, state);
  const double f = outcome.mean_objective;
  outcome.converged = !std::isnan(previous_objective_) &&
                      previous_objective_ - f <= options_.relative_decrease * std::abs(f);
  previous_objective_ = f;
  return outcome;
}

StepOutcome BatchStep::step_on(const Matrix<double>& data, LearnerState& state) {
  const Index n = data.cols();
  const core::internal::Stopwatch coding;
  const EncodeSummary coded = encode(state.dictionary, data, codes_, options_.coding);
  statistics_.reset(data.rows(), options_.atoms);
  statistics_.add(data, codes_, 1.0 / static_cast<double>(n), options_.coding.threads);
  const double coding_seconds = coding.seconds();
  if (options_.method == DictionaryMethod::lagrange_dual) {
    solvers::LagrangeDualOptions o;
    o.tolerance = options_.qp_tolerance;
    o.max_iterations = options_.qp_max_iterations;
    state.last_update = solvers::update_dictionary_lagrange_dual(statistics_.a(), statistics_.b(), state.dictionary, o);
  } else {
    solvers::DictionaryBcdOptions o;
    o.tolerance = options_.qp_tolerance;
    o.max_sweeps = options_.qp_max_iterations;
    o.constraint = to_constraint(options_.dictionary_sign);
    state.last_update = solvers::update_dictionary_bcd(statistics_.a(), statistics_.b(), state.dictionary, o);
  }
  StepOutcome outcome;
  if (options_.replacement == BatchLearnerOptions::Replacement::unused_atoms) {
    outcome.atoms_replaced =
        replace_unused_atoms(state.dictionary, statistics_, data, options_.dictionary_sign, state.rng);
  }
  outcome.samples = n;
  outcome.mean_objective = coded.mean_objective;
  outcome.mean_nonzeros = coded.mean_nonzeros;
  outcome.not_converged = coded.not_converged;
  outcome.coding_seconds = coding_seconds;
  outcome.epoch_end = true;
  return outcome;
}

void BatchStep::save(io::Checkpoint& c) const { c.set_real("previous_objective", previous_objective_); }

void BatchStep::restore(const io::Checkpoint& c, const std::filesystem::path& /*path*/, Index /*dimension*/) {
  previous_objective_ = c.real("previous_objective");
}

}  // namespace sparsecode::sparse
