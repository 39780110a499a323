// Batch alternating optimization for dictionary learning: code all samples, solve the dictionary QP, repeat.
#include "sparsecode/sparse/batch_learner.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsecode/io/checkpoint.hpp"

namespace sparsecode::sparse {

void BatchLearnerOptions::validate() const {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  coding.validate();
  if (method == DictionaryMethod::lagrange_dual && dictionary_sign == DictionarySign::nonnegative) {
    throw std::invalid_argument("BatchLearnerOptions.method: the Lagrange dual handles only the unit-ball "
                                "constraint; use bcd for a non-negative dictionary");
  }
  if (!(qp_tolerance > 0.0) || !std::isfinite(qp_tolerance)) {
    throw std::invalid_argument("BatchLearnerOptions.qp_tolerance must be finite and > 0, got " +
                                std::to_string(qp_tolerance));
  }
  if (qp_max_iterations < 1) {
    throw std::invalid_argument("BatchLearnerOptions.qp_max_iterations must be >= 1, got " +
                                std::to_string(qp_max_iterations));
  }
  stop.validate();
  if (!(relative_decrease >= 0.0) || !std::isfinite(relative_decrease)) {
    throw std::invalid_argument("BatchLearnerOptions.relative_decrease must be finite and >= 0, got " +
                                std::to_string(relative_decrease));
  }
  if (checkpoint_every < 1) {
    throw std::invalid_argument("BatchLearnerOptions.checkpoint_every must be >= 1, got " +
                                std::to_string(checkpoint_every));
  }
}

BatchLearner::BatchLearner(BatchLearnerOptions options) : options_(std::move(options)) {
  options_.validate();
  rng_.seed(options_.seed);
}

void BatchLearner::initialize(const Matrix<double>& data) {
  check_finite_data(data, "training data");
  if (options_.init == DictionaryInit::given) {
    throw std::invalid_argument("initialisation 'given' needs initialize_with(dictionary)");
  }
  dictionary_ = initial_dictionary(data, options_.atoms, options_.init, options_.dictionary_sign, rng_);
}

void BatchLearner::initialize_with(const Matrix<double>& dictionary) {
  dictionary_ = checked_initial_dictionary(dictionary, options_.atoms, options_.dictionary_sign);
}

LearnerProgress BatchLearner::step(const Matrix<double>& data) {
  if (data.rows() != dictionary_.rows()) {
    throw std::invalid_argument("data have dimension " + std::to_string(data.rows()) + ", the dictionary " +
                                std::to_string(dictionary_.rows()));
  }
  const auto start = std::chrono::steady_clock::now();
  const Index n = data.cols();
  Matrix<double> codes(options_.atoms, n);
  const EncodeSummary coded = encode(dictionary_, data, codes, options_.coding);
  const double inv_n = 1.0 / static_cast<double>(n);
  Matrix<double> a = inv_n * (codes * codes.transpose());
  Matrix<double> b = inv_n * (data * codes.transpose());
  if (options_.method == DictionaryMethod::lagrange_dual) {
    solvers::LagrangeDualOptions o;
    o.tolerance = options_.qp_tolerance;
    o.max_iterations = options_.qp_max_iterations;
    last_update_ = solvers::update_dictionary_lagrange_dual(a, b, dictionary_, o);
  } else {
    solvers::DictionaryBcdOptions o;
    o.tolerance = options_.qp_tolerance;
    o.max_sweeps = options_.qp_max_iterations;
    o.constraint = to_constraint(options_.dictionary_sign);
    last_update_ = solvers::update_dictionary_bcd(a, b, dictionary_, o);
  }
  LearnerProgress p = progress_;
  if (options_.replacement == BatchLearnerOptions::Replacement::unused_atoms) {
    // An atom no code uses does not enter F, so replacing it leaves F unchanged and gives the
    // next coding step a chance to use it.
    for (Index j = 0; j < options_.atoms; ++j) {
      if (a(j, j) != 0.0) continue;
      const auto pick = static_cast<Index>(core::uniform_below(rng_, static_cast<std::uint64_t>(n)));
      if (replace_atom(dictionary_, a, b, j, data.col(pick), options_.dictionary_sign)) p.atoms_replaced += 1;
    }
  }
  p.iteration += 1;
  p.epoch += 1;
  p.samples_seen += n;
  p.batch_objective = coded.mean_objective;
  p.mean_nonzeros = coded.mean_nonzeros;
  p.heldout_objective = std::numeric_limits<double>::quiet_NaN();
  p.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

LearnerProgress BatchLearner::partial_fit(const Matrix<double>& data) {
  check_finite_data(data, "training data");
  if (!initialized()) initialize(data);
  progress_ = step(data);
  return progress_;
}

double BatchLearner::evaluate(const Matrix<double>& data) const {
  return mean_coded_objective(dictionary_, data, options_.coding);
}

BatchSummary BatchLearner::fit(const Matrix<double>& data, const Matrix<double>& heldout,
                               const ProgressCallback& callback) {
  BatchSummary summary;
  summary.resumed = begin_fit(data, heldout, options_.stop, progress_, dictionary_, options_.init,
                              [&] { initialize(data); });
  training_samples_ = data.cols();
  const FitContext fit{heldout,
                       options_.stop,
                       callback,
                       options_.checkpoint,
                       options_.checkpoint_every,
                       [this](const Matrix<double>& m) { return evaluate(m); },
                       [this](const std::filesystem::path& path) { save_checkpoint(path); }};
  for (;;) {
    if (const auto reached = stop_reached(options_.stop, progress_)) {
      summary.termination = *reached;
      break;
    }
    progress_ = step(data);
    const double f = progress_.batch_objective;
    const bool converged = !std::isnan(previous_objective_) &&
                           previous_objective_ - f <= options_.relative_decrease * std::abs(f);
    previous_objective_ = f;
    const bool stop_early = after_iteration(fit, true, progress_, heldout_);
    if (converged || stop_early) {
      summary.termination = converged ? LearnerTermination::converged : LearnerTermination::early_stopping;
      break;
    }
  }
  finish_fit(fit, progress_, heldout_, last_update_, summary);
  return summary;
}

void BatchLearner::save_checkpoint(const std::filesystem::path& path) const {
  if (!initialized()) throw std::invalid_argument("save_checkpoint: the learner has no dictionary yet");
  io::Checkpoint c;
  c.set_string("kind", "batch");
  c.set_matrix("D", dictionary_);
  c.set_real("previous_objective", previous_objective_);
  save_common(c, progress_, heldout_, rng_,
              {options_.seed, options_.coding.penalty, options_.dictionary_sign, training_samples_});
  c.save(path);
}

void BatchLearner::load_checkpoint(const std::filesystem::path& path, Index training_samples) {
  const io::Checkpoint c = io::Checkpoint::load(path);
  if (c.string("kind") != "batch" || c.matrix("D").cols() != options_.atoms) {
    throw io::CheckpointError("checkpoint '" + path.string() +
                          "' is not a batch-learner checkpoint with the same number of atoms; cannot resume");
  }
  restore_common(c, path, {options_.seed, options_.coding.penalty, options_.dictionary_sign, training_samples},
                 progress_, heldout_, rng_);
  dictionary_ = c.matrix("D");
  previous_objective_ = c.real("previous_objective");
  training_samples_ = training_samples;
}

}  // namespace sparsecode::sparse
