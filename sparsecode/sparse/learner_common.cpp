// Shared learner pieces: initial dictionaries, deterministic random numbers, stopping rules, atom replacement.
#include "sparsecode/sparse/learner_common.hpp"

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"

namespace sparsecode::sparse {

solvers::DictionaryConstraint to_constraint(DictionarySign sign) {
  return sign == DictionarySign::nonnegative ? solvers::DictionaryConstraint::nonnegative_unit_ball
                                             : solvers::DictionaryConstraint::unit_ball;
}

EncodeOptions default_coding() {
  EncodeOptions o;
  o.solver = solvers::LarsOptions{};
  return o;
}

std::string to_string(LearnerTermination termination) {
  switch (termination) {
    case LearnerTermination::epochs: return "epochs";
    case LearnerTermination::iterations: return "iterations";
    case LearnerTermination::samples: return "samples";
    case LearnerTermination::seconds: return "seconds";
    case LearnerTermination::early_stopping: return "early_stopping";
    case LearnerTermination::converged: return "converged";
  }
  return "unknown";
}

void StopCriteria::validate() const {
  if (epochs < 0) throw std::invalid_argument("StopCriteria.epochs must be >= 0, got " + std::to_string(epochs));
  if (iterations < 0) {
    throw std::invalid_argument("StopCriteria.iterations must be >= 0, got " + std::to_string(iterations));
  }
  if (samples < 0) throw std::invalid_argument("StopCriteria.samples must be >= 0, got " + std::to_string(samples));
  if (!(seconds >= 0) || !std::isfinite(seconds)) {
    throw std::invalid_argument("StopCriteria.seconds must be finite and >= 0, got " + std::to_string(seconds));
  }
  if (epochs == 0 && iterations == 0 && samples == 0 && seconds == 0) {
    throw std::invalid_argument("StopCriteria: one of epochs, iterations, samples or seconds must be > 0");
  }
  if (patience < 0) throw std::invalid_argument("StopCriteria.patience must be >= 0, got " + std::to_string(patience));
  if (!(min_improvement >= 0) || !std::isfinite(min_improvement)) {
    throw std::invalid_argument("StopCriteria.min_improvement must be finite and >= 0, got " +
                                std::to_string(min_improvement));
  }
}

void write_progress_csv(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows) {
  core::write_atomically(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp);
    out << "iteration,samples_seen,epoch,batch_objective,heldout_objective,mean_nonzeros,atoms_replaced,seconds\n";
    out.precision(17);
    for (const auto& p : rows) {
      out << p.iteration << ',' << p.samples_seen << ',' << p.epoch << ',' << p.batch_objective << ',';
      if (!std::isnan(p.heldout_objective)) out << p.heldout_objective;
      out << ',' << p.mean_nonzeros << ',' << p.atoms_replaced << ',' << p.seconds << '\n';
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
  });
}

std::optional<LearnerTermination> stop_reached(const StopCriteria& stop, const LearnerProgress& progress) {
  if (stop.epochs > 0 && progress.epoch >= stop.epochs) return LearnerTermination::epochs;
  if (stop.iterations > 0 && progress.iteration >= stop.iterations) return LearnerTermination::iterations;
  if (stop.samples > 0 && progress.samples_seen >= stop.samples) return LearnerTermination::samples;
  if (stop.seconds > 0 && progress.seconds >= stop.seconds) return LearnerTermination::seconds;
  return std::nullopt;
}

bool after_iteration(const FitContext& fit, bool evaluate_now, LearnerProgress& progress, HeldoutTracker& tracker) {
  bool stop_early = false;
  if (fit.heldout.size() > 0 && evaluate_now) {
    progress.heldout_objective = fit.evaluate(fit.heldout);
    stop_early = tracker.record(progress.heldout_objective, fit.stop);
  }
  if (fit.callback) fit.callback(progress);
  if (!fit.checkpoint.empty() && progress.iteration % fit.checkpoint_every == 0) fit.save(fit.checkpoint);
  return stop_early;
}

void finish_fit(const FitContext& fit, const LearnerProgress& progress, const HeldoutTracker& tracker,
                const solvers::DictionaryUpdateSummary& last_update, LearnerSummary& summary) {
  if (!fit.checkpoint.empty()) fit.save(fit.checkpoint);
  summary.last = progress;
  summary.best_heldout_objective = tracker.best;
  summary.last_update = last_update;
}

bool HeldoutTracker::record(double objective, const StopCriteria& stop) {
  if (std::isnan(best) || objective < best * (1.0 - stop.min_improvement)) {
    best = objective;
    without_improvement = 0;
    return false;
  }
  without_improvement += 1;
  return stop.patience > 0 && without_improvement >= stop.patience;
}

double mean_coded_objective(const Matrix<double>& dictionary, const Matrix<double>& data,
                            const EncodeOptions& coding) {
  if (dictionary.size() == 0) throw std::invalid_argument("evaluate: the learner has no dictionary yet");
  Matrix<double> codes(dictionary.cols(), data.cols());
  return encode(dictionary, data, codes, coding).mean_objective;
}

void check_finite_data(const Matrix<double>& data, const std::string& what) {
  if (data.size() == 0) throw std::invalid_argument(what + " is empty");
  // A NaN or ±Inf entry makes the (vectorised) sum non-finite, so a finite sum proves the data
  // finite; only otherwise (or if the sum overflowed) are the entries scanned one by one.
  if (std::isfinite(data.sum())) return;
  if (!data.allFinite()) {
    Index row = 0;
    Index col = 0;
    for (Index j = 0; j < data.cols(); ++j)
      for (Index i = 0; i < data.rows(); ++i)
        if (!std::isfinite(data(i, j))) {
          row = i;
          col = j;
          i = data.rows();
          j = data.cols();
        }
    throw std::invalid_argument(what + " contains NaN or Inf (first at sample " + std::to_string(col) +
                                ", component " + std::to_string(row) + ")");
  }
}

Matrix<double> initial_dictionary(const Matrix<double>& data, Index atoms, DictionaryInit init,
                                  DictionarySign sign, std::mt19937_64& rng) {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  const Index d = data.rows();
  Matrix<double> dict(d, atoms);
  if (init == DictionaryInit::gaussian) {
    for (Index i = 0; i < dict.size(); ++i) dict.data()[i] = core::standard_normal(rng);
  } else if (init == DictionaryInit::data_patches) {
    const Index n = data.cols();
    if (n < atoms) {
      throw std::invalid_argument("patch initialisation needs at least as many samples as atoms: " +
                                  std::to_string(n) + " samples < k = " + std::to_string(atoms) +
                                  " atoms (use gaussian initialisation or fewer atoms)");
    }
    std::vector<Index> order(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    for (Index j = 0; j < atoms; ++j) {
      const auto pick = static_cast<std::size_t>(j) +
                        static_cast<std::size_t>(core::uniform_below(rng, static_cast<std::uint64_t>(n - j)));
      std::swap(order[static_cast<std::size_t>(j)], order[pick]);
      dict.col(j) = data.col(order[static_cast<std::size_t>(j)]);
    }
  } else {
    throw std::invalid_argument("initial_dictionary: DictionaryInit::given needs the dictionary itself");
  }
  if (sign == DictionarySign::nonnegative) dict = dict.cwiseAbs();
  for (Index j = 0; j < atoms; ++j) {
    const double norm = dict.col(j).norm();
    if (!(norm > 0.0)) {
      throw std::invalid_argument("initial atom " + std::to_string(j) +
                                  " is zero (a zero training sample was drawn); remove zero samples");
    }
    dict.col(j) /= norm;
  }
  return dict;
}

Matrix<double> checked_initial_dictionary(const Matrix<double>& given, Index atoms, DictionarySign sign) {
  check_finite_data(given, "initial dictionary");
  if (given.cols() != atoms) {
    throw std::invalid_argument("initial dictionary has " + std::to_string(given.cols()) +
                                " atoms, expected k = " + std::to_string(atoms));
  }
  const double largest = given.colwise().norm().maxCoeff();
  if (largest > 1.0 + 1e-6) {
    throw std::invalid_argument("initial dictionary has an atom of norm " + std::to_string(largest) +
                                " > 1 (atoms must satisfy ||d_j|| <= 1)");
  }
  if (sign == DictionarySign::nonnegative && given.minCoeff() < 0.0) {
    throw std::invalid_argument("initial dictionary has negative entries but a non-negative dictionary was asked for");
  }
  Matrix<double> d = given;
  for (Index j = 0; j < d.cols(); ++j) solvers::project_atom<double>(d.col(j), to_constraint(sign));
  return d;
}

void check_fit_inputs(const Matrix<double>& data, const Matrix<double>& heldout, const StopCriteria& stop) {
  check_finite_data(data, "training data");
  if (heldout.size() > 0) {
    check_finite_data(heldout, "held-out data");
    if (heldout.rows() != data.rows()) {
      throw std::invalid_argument("held-out data has dimension " + std::to_string(heldout.rows()) +
                                  ", the training data " + std::to_string(data.rows()));
    }
  }
  if (stop.patience > 0 && heldout.size() == 0) {
    throw std::invalid_argument("early stopping (patience " + std::to_string(stop.patience) + ") needs a held-out set");
  }
}

bool begin_fit(const Matrix<double>& data, const Matrix<double>& heldout, const StopCriteria& stop,
               const LearnerProgress& progress, const Matrix<double>& dictionary, DictionaryInit init,
               const std::function<void()>& initialize) {
  check_fit_inputs(data, heldout, stop);
  if (dictionary.size() == 0) {
    if (init == DictionaryInit::given) {
      throw std::invalid_argument("initialisation 'given': call initialize_with(dictionary) before fit()");
    }
    initialize();
  }
  if (data.rows() != dictionary.rows()) {
    throw std::invalid_argument("training data has dimension " + std::to_string(data.rows()) +
                                ", the dictionary " + std::to_string(dictionary.rows()));
  }
  return progress.iteration > 0;
}

void save_common(io::Checkpoint& c, const LearnerProgress& progress, const HeldoutTracker& heldout,
                 const std::mt19937_64& rng, const RunIdentity& identity) {
  c.set_int("iteration", progress.iteration);
  c.set_int("samples_seen", progress.samples_seen);
  c.set_int("epoch", progress.epoch);
  c.set_int("atoms_replaced", progress.atoms_replaced);
  c.set_real("seconds", progress.seconds);
  c.set_real("batch_objective", progress.batch_objective);
  c.set_real("mean_nonzeros", progress.mean_nonzeros);
  c.set_real("best_heldout", heldout.best);
  c.set_int("evaluations_without_improvement", heldout.without_improvement);
  std::ostringstream state;
  state << rng;
  c.set_string("rng", state.str());
  c.set_int("seed", static_cast<std::int64_t>(identity.seed));
  c.set_real("lambda", identity.penalty.lambda);
  c.set_real("lambda2", identity.penalty.lambda2);
  c.set_int("code_sign", static_cast<std::int64_t>(identity.penalty.sign));
  c.set_int("dictionary_sign", static_cast<std::int64_t>(identity.dictionary_sign));
  c.set_int("training_samples", identity.training_samples);
}

void restore_common(const io::Checkpoint& c, const std::filesystem::path& path, const RunIdentity& identity,
                    LearnerProgress& progress, HeldoutTracker& heldout, std::mt19937_64& rng) {
  const auto require = [&](bool same, const std::string& what) {
    if (!same) throw io::CheckpointError("checkpoint '" + path.string() + "' was written with a different " + what + "; cannot resume");
  };
  require(c.integer("training_samples") == identity.training_samples, "training set size");
  require(c.integer("seed") == static_cast<std::int64_t>(identity.seed), "seed");
  require(c.real("lambda") == identity.penalty.lambda && c.real("lambda2") == identity.penalty.lambda2, "lambda");
  require(c.integer("code_sign") == static_cast<std::int64_t>(identity.penalty.sign) &&
              c.integer("dictionary_sign") == static_cast<std::int64_t>(identity.dictionary_sign),
          "sign constraint");
  progress = LearnerProgress{};
  progress.iteration = c.integer("iteration");
  progress.samples_seen = c.integer("samples_seen");
  progress.epoch = c.integer("epoch");
  progress.atoms_replaced = c.integer("atoms_replaced");
  progress.seconds = c.real("seconds");
  progress.batch_objective = c.real("batch_objective");
  progress.mean_nonzeros = c.real("mean_nonzeros");
  heldout.best = c.real("best_heldout");
  heldout.without_improvement = c.integer("evaluations_without_improvement");
  std::istringstream state(c.string("rng"));
  state >> rng;
  if (!state) throw io::CheckpointError("checkpoint '" + path.string() + "' has an unreadable random-number state");
}

bool replace_atom(Matrix<double>& dictionary, Matrix<double>& a, Matrix<double>& b, Index j,
                  const Eigen::Ref<const Vector<double>>& x, DictionarySign sign) {
  Vector<double> atom = sign == DictionarySign::nonnegative ? Vector<double>(x.cwiseAbs()) : Vector<double>(x);
  const double norm = atom.norm();
  if (!(norm > 0.0)) return false;
  dictionary.col(j) = atom / norm;
  a.row(j).setZero();
  a.col(j).setZero();
  b.col(j).setZero();
  return true;
}

}  // namespace sparsecode::sparse
