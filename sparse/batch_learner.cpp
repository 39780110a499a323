// Batch alternating optimization for dictionary learning: code all samples, solve the dictionary QP, repeat.
#include "sparse/batch_learner.hpp"

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sparse/learner_checkpoint.hpp"

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
  check_finite_data(dictionary, "initial dictionary");
  if (dictionary.cols() != options_.atoms) {
    throw std::invalid_argument("initial dictionary has " + std::to_string(dictionary.cols()) +
                                " atoms, expected k = " + std::to_string(options_.atoms));
  }
  const double largest = dictionary.colwise().norm().maxCoeff();
  if (largest > 1.0 + 1e-6) {
    throw std::invalid_argument("initial dictionary has an atom of norm " + std::to_string(largest) +
                                " > 1 (atoms must satisfy ||d_j|| <= 1)");
  }
  dictionary_ = dictionary;
  for (Index j = 0; j < dictionary_.cols(); ++j) {
    solvers::project_atom<double>(dictionary_.col(j), to_constraint(options_.dictionary_sign));
  }
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
      const auto pick = static_cast<Index>(uniform_index(rng_, static_cast<std::uint64_t>(n)));
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
  if (!initialized()) throw std::invalid_argument("evaluate: the learner has no dictionary yet");
  Matrix<double> codes(options_.atoms, data.cols());
  return encode(dictionary_, data, codes, options_.coding).mean_objective;
}

BatchSummary BatchLearner::fit(const Matrix<double>& data, const Matrix<double>& heldout,
                               const ProgressCallback& callback) {
  check_finite_data(data, "training data");
  if (heldout.size() > 0) check_finite_data(heldout, "held-out data");
  if (options_.stop.patience > 0 && heldout.size() == 0) {
    throw std::invalid_argument("early stopping (patience " + std::to_string(options_.stop.patience) +
                                ") needs a held-out set");
  }
  BatchSummary summary;
  summary.resumed = progress_.iteration > 0;
  if (!initialized()) {
    if (options_.init == DictionaryInit::given) {
      throw std::invalid_argument("initialisation 'given': call initialize_with(dictionary) before fit()");
    }
    initialize(data);
  }
  training_samples_ = data.cols();
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
    bool stop_early = false;
    if (heldout.size() > 0) {
      progress_.heldout_objective = evaluate(heldout);
      stop_early = heldout_.record(progress_.heldout_objective, options_.stop);
    }
    if (callback) callback(progress_);
    if (!options_.checkpoint.empty() && progress_.iteration % options_.checkpoint_every == 0) {
      save_checkpoint(options_.checkpoint);
    }
    if (converged || stop_early) {
      summary.termination = converged ? LearnerTermination::converged : LearnerTermination::early_stopping;
      break;
    }
  }
  if (!options_.checkpoint.empty()) save_checkpoint(options_.checkpoint);
  summary.last = progress_;
  summary.best_heldout_objective = heldout_.best;
  summary.last_update = last_update_;
  return summary;
}

void BatchLearner::save_checkpoint(const std::filesystem::path& path) const {
  if (!initialized()) throw std::invalid_argument("save_checkpoint: the learner has no dictionary yet");
  Checkpoint c;
  c.set_string("kind", "batch");
  c.set_matrix("D", dictionary_);
  c.set_int("iteration", progress_.iteration);
  c.set_int("samples_seen", progress_.samples_seen);
  c.set_int("atoms_replaced", progress_.atoms_replaced);
  c.set_real("seconds", progress_.seconds);
  c.set_real("batch_objective", progress_.batch_objective);
  c.set_real("previous_objective", previous_objective_);
  c.set_real("best_heldout", heldout_.best);
  c.set_int("evaluations_without_improvement", heldout_.without_improvement);
  std::ostringstream rng;
  rng << rng_;
  c.set_string("rng", rng.str());
  c.set_int("training_samples", training_samples_);
  c.set_int("seed", static_cast<std::int64_t>(options_.seed));
  c.set_real("lambda", options_.coding.penalty.lambda);
  c.set_real("lambda2", options_.coding.penalty.lambda2);
  c.set_int("code_sign", static_cast<std::int64_t>(options_.coding.penalty.sign));
  c.set_int("dictionary_sign", static_cast<std::int64_t>(options_.dictionary_sign));
  c.save(path);
}

void BatchLearner::load_checkpoint(const std::filesystem::path& path, Index training_samples) {
  const Checkpoint c = Checkpoint::load(path);
  auto require = [&](bool same, const std::string& what) {
    if (!same) {
      throw CheckpointError("checkpoint '" + path.string() + "' was written with a different " + what +
                            "; cannot resume");
    }
  };
  require(c.string("kind") == "batch", "learner (it is not a batch-learner checkpoint)");
  require(c.matrix("D").cols() == options_.atoms, "number of atoms");
  require(c.integer("training_samples") == training_samples, "training set size");
  require(c.integer("seed") == static_cast<std::int64_t>(options_.seed), "seed");
  require(c.real("lambda") == options_.coding.penalty.lambda && c.real("lambda2") == options_.coding.penalty.lambda2,
          "lambda");
  require(c.integer("code_sign") == static_cast<std::int64_t>(options_.coding.penalty.sign) &&
              c.integer("dictionary_sign") == static_cast<std::int64_t>(options_.dictionary_sign),
          "sign constraint");
  dictionary_ = c.matrix("D");
  progress_ = LearnerProgress{};
  progress_.iteration = c.integer("iteration");
  progress_.epoch = progress_.iteration;
  progress_.samples_seen = c.integer("samples_seen");
  progress_.atoms_replaced = c.integer("atoms_replaced");
  progress_.seconds = c.real("seconds");
  progress_.batch_objective = c.real("batch_objective");
  previous_objective_ = c.real("previous_objective");
  heldout_.best = c.real("best_heldout");
  heldout_.without_improvement = c.integer("evaluations_without_improvement");
  std::istringstream rng(c.string("rng"));
  rng >> rng_;
  if (!rng) throw CheckpointError("checkpoint '" + path.string() + "' has an unreadable random-number state");
  training_samples_ = training_samples;
}

}  // namespace sparsecode::sparse
