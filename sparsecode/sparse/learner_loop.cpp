// The learners' shared loop: input checks, stepping, held-out evaluation, callbacks, stopping, checkpoints.
#include "sparsecode/sparse/learner_loop.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/threads.hpp"
#include "sparsecode/io/checksum.hpp"

namespace sparsecode::sparse {

namespace {

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

void check_dimension(const Matrix<double>& data, const Matrix<double>& dictionary, const std::string& what) {
  if (data.rows() != dictionary.rows()) {
    throw std::invalid_argument(what + " has dimension " + std::to_string(data.rows()) + ", the dictionary " +
                                std::to_string(dictionary.rows()));
  }
}

// Progress rows as a checkpoint matrix: one column per row, the first eight fields in declaration order.
constexpr Index kProgressFields = 8;

Matrix<double> history_matrix(const std::vector<LearnerProgress>& rows) {
  Matrix<double> m(kProgressFields, static_cast<Index>(rows.size()));
  for (Index j = 0; j < m.cols(); ++j) {
    const LearnerProgress& p = rows[static_cast<std::size_t>(j)];
    m.col(j) << static_cast<double>(p.iteration), static_cast<double>(p.samples_seen), static_cast<double>(p.epoch),
        p.batch_objective, p.heldout_objective, p.mean_nonzeros, static_cast<double>(p.atoms_replaced), p.seconds;
  }
  return m;
}

std::vector<LearnerProgress> history_rows(const Matrix<double>& m) {
  std::vector<LearnerProgress> rows(static_cast<std::size_t>(m.rows() == kProgressFields ? m.cols() : 0));
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const auto c = m.col(static_cast<Index>(j));
    LearnerProgress& p = rows[j];
    p.iteration = static_cast<long long>(c(0));
    p.samples_seen = static_cast<long long>(c(1));
    p.epoch = static_cast<long long>(c(2));
    p.batch_objective = c(3);
    p.heldout_objective = c(4);
    p.mean_nonzeros = c(5);
    p.atoms_replaced = static_cast<long long>(c(6));
    p.seconds = c(7);
  }
  return rows;
}

// A 64-bit fingerprint kept bit for bit in a checkpoint's signed integer entry.
std::int64_t as_entry(std::uint64_t fingerprint) { return static_cast<std::int64_t>(fingerprint); }

}  // namespace

void LoopSettings::validate(const std::string& owner) const {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  coding.validate();
  stop.validate();
  if (evaluate_every < 0) {
    throw std::invalid_argument(owner + ".evaluate_every must be >= 0, got " + std::to_string(evaluate_every));
  }
  if (checkpoint_every < 1) {
    throw std::invalid_argument(owner + ".checkpoint_every must be >= 1, got " + std::to_string(checkpoint_every));
  }
}

LearnerLoop::LearnerLoop(LoopSettings settings) : settings_(std::move(settings)) { state_.rng.seed(settings_.seed); }

void LearnerLoop::initialize(LearnerStep& step, const Matrix<double>& data) {
  check_finite_data(data, "training data");
  if (settings_.init == DictionaryInit::given) {
    throw std::invalid_argument("initialisation 'given' needs initialize_with(dictionary)");
  }
  if (settings_.parallel) {
    const DataParallel& parallel = *settings_.parallel;
    state_.dictionary = initial_dictionary(
        data.rows(), parallel.total_samples(), [&](Index i) { return parallel.sample(i, data); }, settings_.atoms,
        settings_.init, settings_.sign, state_.rng);
  } else {
    state_.dictionary = initial_dictionary(data, settings_.atoms, settings_.init, settings_.sign, state_.rng);
  }
  step.reset(data.rows());
}

void LearnerLoop::initialize_with(LearnerStep& step, const Matrix<double>& dictionary) {
  state_.dictionary = checked_initial_dictionary(dictionary, settings_.atoms, settings_.sign);
  step.reset(dictionary.rows());
}

void LearnerLoop::record(const StepOutcome& outcome, double seconds) {
  LearnerProgress& p = state_.progress;
  p.iteration += 1;
  p.samples_seen += outcome.samples;
  if (outcome.epoch_end) p.epoch += 1;
  p.batch_objective = outcome.mean_objective;
  p.mean_nonzeros = outcome.mean_nonzeros;
  p.atoms_replaced += outcome.atoms_replaced;
  p.not_converged += outcome.not_converged;
  p.heldout_objective = std::numeric_limits<double>::quiet_NaN();
  p.seconds += seconds;
}

LearnerProgress LearnerLoop::partial_fit(LearnerStep& step, const Matrix<double>& samples) {
  check_finite_data(samples, "partial_fit samples");
  if (state_.dictionary.size() == 0) initialize(step, samples);
  check_dimension(samples, state_.dictionary, "partial_fit samples");
  const core::SingleThreadedBlas single_threaded_blas;  // as in run()
  const core::internal::Stopwatch step_time;
  const StepOutcome outcome = step.step_on(samples, state_);
  record(outcome, step_time.seconds());
  return state_.progress;
}

LearnerSummary LearnerLoop::fit(LearnerStep& step, const Matrix<double>& data, const Matrix<double>& heldout,
                                const ProgressCallback& callback) {
  check_fit_inputs(data, heldout, settings_.stop);
  if (state_.dictionary.size() == 0) {
    if (settings_.init == DictionaryInit::given) {
      throw std::invalid_argument("initialisation 'given': call initialize_with(dictionary) before fit()");
    }
    initialize(step, data);
  }
  check_dimension(data, state_.dictionary, "training data");
  check_resumed_data(data_fingerprints(data, heldout));
  return run(step, settings_.parallel ? settings_.parallel->total_samples() : data.cols(), heldout, callback,
             [&] { return step.step(data, state_); });
}

LearnerSummary LearnerLoop::fit(LearnerStep& step, const TrainingSource& source, const Matrix<double>& heldout,
                                const ProgressCallback& callback) {
  if (settings_.parallel) throw std::invalid_argument("fit(TrainingSource): data-parallel learning needs fit(data)");
  if (source.samples() < 1 || source.dimension() < 1) {
    throw std::invalid_argument("training data is empty (" + std::to_string(source.samples()) + " samples of dimension " +
                                std::to_string(source.dimension()) + ")");
  }
  check_fit_inputs(Matrix<double>::Zero(source.dimension(), 1), heldout, settings_.stop);
  if (state_.dictionary.size() == 0) {
    if (settings_.init == DictionaryInit::given) {
      throw std::invalid_argument("initialisation 'given': call initialize_with(dictionary) before fit()");
    }
    Matrix<double> one;
    state_.dictionary = initial_dictionary(
        source.dimension(), source.samples(),
        [&](Index i) -> Vector<double> {
          source.gather(&i, 1, one);
          check_finite_data(one, "training sample " + std::to_string(i));
          return one.col(0);
        },
        settings_.atoms, settings_.init, settings_.sign, state_.rng);
    step.reset(source.dimension());
  }
  if (source.dimension() != state_.dictionary.rows()) {
    throw std::invalid_argument("training data has dimension " + std::to_string(source.dimension()) +
                                ", the dictionary " + std::to_string(state_.dictionary.rows()));
  }
  return run(step, source.samples(), heldout, callback, [&] { return step.step_from(source, state_); });
}

LearnerSummary LearnerLoop::run(LearnerStep& step, Index training_samples, const Matrix<double>& heldout,
                                const ProgressCallback& callback, const std::function<StepOutcome()>& one_step) {
  LearnerSummary summary;
  summary.resumed = state_.progress.iteration > 0;
  training_samples_ = training_samples;
  // With data-parallel learning, some process's share of the held-out set may be empty.
  double heldout_samples = static_cast<double>(heldout.cols());
  if (settings_.parallel) settings_.parallel->sum(&heldout_samples, 1);
  step.begin(training_samples_, state_);
  // OpenBLAS stays single-threaded for the whole run: the steps' products (the dictionary
  // update's GEMMs, G = DᵀD) are small, and waking OpenBLAS's thread pool between the coding
  // loops leaves its threads spin-yielding against the OpenMP workers (issue 14, B1).
  const core::SingleThreadedBlas single_threaded_blas;
  LearnerProgress& p = state_.progress;
  for (;;) {
    if (const auto reached = stop_reached(settings_.stop, p)) {
      summary.termination = *reached;
      break;
    }
    const core::internal::Stopwatch step_time;
    const StepOutcome outcome = one_step();
    const double seconds = step_time.seconds();
    record(outcome, seconds);
    summary.time_split.coding += outcome.coding_seconds;
    summary.time_split.exchange += outcome.exchange_seconds;
    summary.time_split.update += std::max(0.0, seconds - outcome.coding_seconds - outcome.exchange_seconds);
    const bool evaluate_now =
        settings_.evaluate_every > 0 ? p.iteration % settings_.evaluate_every == 0 : outcome.epoch_end;
    bool stop_early = false;
    if (heldout_samples > 0 && evaluate_now) {
      p.heldout_objective = evaluate(heldout);
      stop_early = heldout_.record(p.heldout_objective, settings_.stop);
    }
    history_.push_back(p);
    const bool user_stop = callback && callback(p) == CallbackResult::stop;
    if (writes_checkpoints() && p.iteration % settings_.checkpoint_every == 0) {
      save_checkpoint(step, settings_.checkpoint);
    }
    if (user_stop || outcome.converged || stop_early) {
      summary.termination = user_stop           ? Termination::user_callback
                            : outcome.converged ? Termination::converged
                                                : Termination::early_stopping;
      break;
    }
  }
  if (writes_checkpoints()) save_checkpoint(step, settings_.checkpoint);
  summary.last = p;
  summary.best_heldout_objective = heldout_.best;
  summary.last_update = state_.last_update;
  return summary;
}

std::pair<std::uint64_t, std::uint64_t> LearnerLoop::data_fingerprints(const Matrix<double>& data,
                                                                        const Matrix<double>& heldout) const {
  if (!settings_.parallel) return {io::sample_fingerprint(data, 0), io::sample_fingerprint(heldout, 0)};
  // This process's parts (its training samples from first_sample(), its held-out samples after
  // those of the processes before it), summed over processes modulo 2^64 in 16-bit limbs (exact
  // in doubles): the same values as one process holding all the data.
  const DataParallel& parallel = *settings_.parallel;
  Matrix<double> mine(2, 1);
  mine << static_cast<double>(parallel.first_sample()), static_cast<double>(heldout.cols());
  const Matrix<double> all = parallel.gather_columns(mine);
  std::uint64_t first_heldout = 0;
  for (Index r = 0; r < all.cols() && all(0, r) < mine(0, 0); ++r) first_heldout += static_cast<std::uint64_t>(all(1, r));
  const std::uint64_t parts[2] = {io::sample_fingerprint(data, static_cast<std::uint64_t>(parallel.first_sample())),
                                  io::sample_fingerprint(heldout, first_heldout)};
  double limbs[8];
  for (int i = 0; i < 8; ++i) limbs[i] = static_cast<double>((parts[i / 4] >> (16 * (i % 4))) & 0xffffU);
  parallel.sum(limbs, 8);
  std::uint64_t sums[2] = {0, 0};
  for (int i = 0; i < 8; ++i) sums[i / 4] += static_cast<std::uint64_t>(limbs[i]) << (16 * (i % 4));
  return {sums[0], sums[1]};
}

void LearnerLoop::check_resumed_data(const std::pair<std::uint64_t, std::uint64_t>& fingerprints) {
  fingerprints_ = fingerprints;
  if (!resumed_fingerprints_) return;
  const auto saved = *resumed_fingerprints_;
  const auto refuse = [&](const std::string& which) {
    throw io::CheckpointError("checkpoint '" + resumed_from_.string() + "': the " + which +
                              " differ from the checkpoint's (same size, other values); cannot resume");
  };
  if (saved.first != fingerprints_->first) refuse("training data");
  if (saved.second != fingerprints_->second) refuse("held-out data");
  resumed_fingerprints_.reset();  // checked once: later fit() calls continue on any data
}

double LearnerLoop::evaluate(const Matrix<double>& data) const {
  if (state_.dictionary.size() == 0) throw std::invalid_argument("evaluate: the learner has no dictionary yet");
  Matrix<double> codes(state_.dictionary.cols(), data.cols());
  if (!settings_.parallel) return encode(state_.dictionary, data, codes, settings_.coding).mean_objective;
  // Every process's share: Σ objectives and the count, summed over processes.
  double sums[2] = {0.0, static_cast<double>(data.cols())};
  if (data.cols() > 0) sums[0] = encode(state_.dictionary, data, codes, settings_.coding).mean_objective * sums[1];
  settings_.parallel->sum(sums, 2);
  return sums[1] > 0.0 ? sums[0] / sums[1] : std::numeric_limits<double>::quiet_NaN();
}

bool LearnerLoop::writes_checkpoints() const {
  return !settings_.checkpoint.empty() && (!settings_.parallel || settings_.parallel->writes_files());
}

void LearnerLoop::save_checkpoint(const LearnerStep& step, const std::filesystem::path& path) const {
  if (state_.dictionary.size() == 0) throw std::invalid_argument("save_checkpoint: the learner has no dictionary yet");
  io::Checkpoint c;
  c.set_string("kind", step.kind());
  c.set_matrix("D", state_.dictionary);
  step.save(c);
  const LearnerProgress& p = state_.progress;
  c.set_int("iteration", p.iteration);
  c.set_int("samples_seen", p.samples_seen);
  c.set_int("epoch", p.epoch);
  c.set_int("atoms_replaced", p.atoms_replaced);
  c.set_int("not_converged", p.not_converged);
  c.set_real("seconds", p.seconds);
  c.set_real("batch_objective", p.batch_objective);
  c.set_real("mean_nonzeros", p.mean_nonzeros);
  c.set_real("best_heldout", heldout_.best);
  c.set_int("evaluations_without_improvement", heldout_.without_improvement);
  std::ostringstream rng;
  rng << state_.rng;
  c.set_string("rng", rng.str());
  c.set_int("seed", static_cast<std::int64_t>(settings_.seed));
  c.set_real("lambda", settings_.coding.penalty.lambda);
  c.set_real("lambda2", settings_.coding.penalty.lambda2);
  c.set_int("code_sign", static_cast<std::int64_t>(settings_.coding.penalty.sign));
  c.set_int("dictionary_sign", static_cast<std::int64_t>(settings_.sign));
  c.set_int("training_samples", training_samples_);
  if (fingerprints_) {
    c.set_int("data_samples_fingerprint", as_entry(fingerprints_->first));
    c.set_int("heldout_samples_fingerprint", as_entry(fingerprints_->second));
  }
  c.set_matrix("history", history_matrix(history_));
  c.save(path);
}

void LearnerLoop::load_checkpoint(LearnerStep& step, const std::filesystem::path& path, Index training_samples) {
  const io::Checkpoint c = io::Checkpoint::load(path);
  const auto require = [&](bool same, const std::string& what) {
    if (!same) {
      throw io::CheckpointError("checkpoint '" + path.string() + "' was written with a different " + what +
                                "; cannot resume");
    }
  };
  require(c.string("kind") == step.kind(), "learner (it is not a " + step.kind() + "-learner checkpoint)");
  require(c.matrix("D").cols() == settings_.atoms, "number of atoms");
  require(c.integer("training_samples") == training_samples, "training set size");
  require(c.integer("seed") == static_cast<std::int64_t>(settings_.seed), "seed");
  require(c.real("lambda") == settings_.coding.penalty.lambda && c.real("lambda2") == settings_.coding.penalty.lambda2,
          "lambda");
  require(c.integer("code_sign") == static_cast<std::int64_t>(settings_.coding.penalty.sign) &&
              c.integer("dictionary_sign") == static_cast<std::int64_t>(settings_.sign),
          "sign constraint");
  std::mt19937_64 rng;
  std::istringstream rng_text(c.string("rng"));
  rng_text >> rng;
  if (!rng_text) throw io::CheckpointError("checkpoint '" + path.string() + "' has an unreadable random-number state");
  step.restore(c, path, c.matrix("D").rows());
  state_.dictionary = c.matrix("D");
  state_.rng = rng;
  LearnerProgress& p = state_.progress;
  p = LearnerProgress{};
  p.iteration = c.integer("iteration");
  p.samples_seen = c.integer("samples_seen");
  p.epoch = c.integer("epoch");
  p.atoms_replaced = c.integer("atoms_replaced");
  p.not_converged = c.has("not_converged") ? c.integer("not_converged") : 0;  // older checkpoints lack it
  p.seconds = c.real("seconds");
  p.batch_objective = c.real("batch_objective");
  p.mean_nonzeros = c.real("mean_nonzeros");
  heldout_.best = c.real("best_heldout");
  heldout_.without_improvement = c.integer("evaluations_without_improvement");
  training_samples_ = training_samples;
  history_ = c.has("history") ? history_rows(c.matrix("history")) : std::vector<LearnerProgress>{};
  resumed_fingerprints_.reset();
  // (Checkpoints of earlier versions hold whole-matrix fingerprints, "data_fingerprint": not compared.)
  if (c.has("data_samples_fingerprint") && c.has("heldout_samples_fingerprint")) {
    resumed_fingerprints_ = std::make_pair(static_cast<std::uint64_t>(c.integer("data_samples_fingerprint")),
                                           static_cast<std::uint64_t>(c.integer("heldout_samples_fingerprint")));
  }
  resumed_from_ = path;
}

}  // namespace sparsecode::sparse
