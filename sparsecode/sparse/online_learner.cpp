// Online mini-batch dictionary learning (Mairal et al. 2010): coding, weighted statistics, BCD, checkpoints.
#include "sparsecode/sparse/online_learner.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecode::sparse {

void OnlineLearnerOptions::validate() const {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  if (batch_size < 1) {
    throw std::invalid_argument("batch size must be >= 1, got " + std::to_string(batch_size));
  }
  coding.validate();
  if (!(rho >= 0.0) || !std::isfinite(rho)) {
    throw std::invalid_argument("OnlineLearnerOptions.rho must be finite and >= 0, got " + std::to_string(rho));
  }
  dictionary.validate();
  if (replace_window < -1) {
    throw std::invalid_argument("OnlineLearnerOptions.replace_window must be >= -1, got " +
                                std::to_string(replace_window));
  }
  stop.validate();
  if (evaluate_every < 0) {
    throw std::invalid_argument("OnlineLearnerOptions.evaluate_every must be >= 0, got " +
                                std::to_string(evaluate_every));
  }
  if (checkpoint_every < 1) {
    throw std::invalid_argument("OnlineLearnerOptions.checkpoint_every must be >= 1, got " +
                                std::to_string(checkpoint_every));
  }
}

OnlineLearner::OnlineLearner(OnlineLearnerOptions options) : options_(std::move(options)) {
  options_.validate();
  options_.dictionary.constraint = to_constraint(options_.dictionary_sign);
  rng_.seed(options_.seed);
}

void OnlineLearner::initialize(const Matrix<double>& data) {
  check_finite_data(data, "training data");
  if (options_.init == DictionaryInit::given) {
    throw std::invalid_argument("initialisation 'given' needs initialize_with(dictionary)");
  }
  dictionary_ = initial_dictionary(data, options_.atoms, options_.init, options_.dictionary_sign, rng_);
  a_ = Matrix<double>::Zero(options_.atoms, options_.atoms);
  b_ = Matrix<double>::Zero(data.rows(), options_.atoms);
  usage_ = Vector<double>::Zero(options_.atoms);
}

void OnlineLearner::initialize_with(const Matrix<double>& dictionary) {
  dictionary_ = checked_initial_dictionary(dictionary, options_.atoms, options_.dictionary_sign);
  a_ = Matrix<double>::Zero(options_.atoms, options_.atoms);
  b_ = Matrix<double>::Zero(dictionary.rows(), options_.atoms);
  usage_ = Vector<double>::Zero(options_.atoms);
}

LearnerProgress OnlineLearner::partial_fit(const Matrix<double>& batch) {
  check_finite_data(batch, "mini-batch");
  if (!initialized()) initialize(batch);
  const auto start = std::chrono::steady_clock::now();
  LearnerProgress p = step(batch);
  p.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress_ = p;
  return p;
}

LearnerProgress OnlineLearner::step(const Matrix<double>& batch) {
  if (batch.rows() != dictionary_.rows()) {
    throw std::invalid_argument("mini-batch has dimension " + std::to_string(batch.rows()) +
                                ", the dictionary " + std::to_string(dictionary_.rows()));
  }
  const Index m = batch.cols();
  // codes_ keeps its allocation across mini-batches of the same size (encode() zeroes it).
  const EncodeSummary coded = encode(dictionary_, batch, codes_, options_.coding);
  const Matrix<double>& codes = codes_;

  // Down-weight the past (§3.4), then add this mini-batch's mean contribution.
  const double t = static_cast<double>(progress_.iteration + 1);
  double beta = 0.0;
  if (options_.weighting == PastWeighting::minibatch) {
    const double eta = static_cast<double>(options_.batch_size);
    const double theta = t < eta ? t * eta : eta * eta + t - eta;
    beta = (theta + 1.0 - eta) / (theta + 1.0);
  } else {
    beta = std::pow(1.0 - 1.0 / t, options_.rho);
  }
  const double inv_m = 1.0 / static_cast<double>(m);
  a_ *= beta;
  b_ *= beta;
  // Codes are sparse, so Σ a aᵀ and Σ x aᵀ are accumulated over non-zeros only: O(η·s²) and
  // O(η·d·s) for s non-zeros per code instead of dense products of O(η·k²) and O(η·d·k).
  std::vector<Index> support;
  support.reserve(static_cast<std::size_t>(options_.atoms));
  for (Index i = 0; i < m; ++i) {
    support.clear();
    for (Index j = 0; j < options_.atoms; ++j) {
      if (codes(j, i) != 0.0) support.push_back(j);
    }
    for (const Index p : support) {
      const double ap = inv_m * codes(p, i);
      for (const Index q : support) a_(q, p) += ap * codes(q, i);
      b_.col(p) += ap * batch.col(i);
      usage_(p) += 1.0;
    }
  }
  window_samples_ += m;

  last_update_ = solvers::update_dictionary_bcd(a_, b_, dictionary_, options_.dictionary);
  replace_unused_atoms(batch);

  LearnerProgress p = progress_;
  p.iteration += 1;
  p.samples_seen += m;
  p.batch_objective = coded.mean_objective;
  p.mean_nonzeros = coded.mean_nonzeros;
  p.heldout_objective = std::numeric_limits<double>::quiet_NaN();
  return p;
}

void OnlineLearner::replace_unused_atoms(const Matrix<double>& batch) {
  if (options_.replace_window < 0) return;
  const long long window = options_.replace_window > 0 ? options_.replace_window : 10 * static_cast<long long>(options_.atoms);
  if (window_samples_ < window) return;
  for (Index j = 0; j < options_.atoms; ++j) {
    if (usage_(j) != 0.0) continue;
    const auto pick = static_cast<Index>(core::uniform_below(rng_, static_cast<std::uint64_t>(batch.cols())));
    if (replace_atom(dictionary_, a_, b_, j, batch.col(pick), options_.dictionary_sign)) {
      progress_.atoms_replaced += 1;
    }
  }
  usage_.setZero();
  window_samples_ = 0;
}

void OnlineLearner::start_epoch(Index n) {
  order_.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order_[static_cast<std::size_t>(i)] = i;
  core::shuffle(order_, rng_);
  position_ = 0;
}

double OnlineLearner::evaluate(const Matrix<double>& data) const {
  return mean_coded_objective(dictionary_, data, options_.coding);
}

OnlineSummary OnlineLearner::fit(const Matrix<double>& data, const Matrix<double>& heldout,
                                 const ProgressCallback& callback) {
  OnlineSummary summary;
  summary.resumed = begin_fit(data, heldout, options_.stop, progress_, dictionary_, options_.init,
                              [&] { initialize(data); });
  const Index n = data.cols();
  if (static_cast<Index>(order_.size()) != n) start_epoch(n);
  const StopCriteria& stop = options_.stop;
  Matrix<double> batch(data.rows(), options_.batch_size);
  const FitContext fit{heldout,
                       stop,
                       callback,
                       options_.checkpoint,
                       options_.checkpoint_every,
                       [this](const Matrix<double>& m) { return evaluate(m); },
                       [this](const std::filesystem::path& path) { save_checkpoint(path); }};
  for (;;) {
    if (const auto reached = stop_reached(stop, progress_)) {
      summary.termination = *reached;
      break;
    }
    const Index m = std::min<Index>(options_.batch_size, n - position_);
    batch.resize(data.rows(), m);
    for (Index i = 0; i < m; ++i) batch.col(i) = data.col(order_[static_cast<std::size_t>(position_ + i)]);
    const auto start = std::chrono::steady_clock::now();
    LearnerProgress p = step(batch);
    position_ += m;
    bool epoch_end = false;
    if (position_ == n) {
      p.epoch += 1;
      epoch_end = true;
      start_epoch(n);
    }
    p.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress_ = p;
    const bool evaluate_now = options_.evaluate_every > 0 ? p.iteration % options_.evaluate_every == 0 : epoch_end;
    if (after_iteration(fit, evaluate_now, progress_, heldout_)) {
      summary.termination = LearnerTermination::early_stopping;
      break;
    }
  }
  finish_fit(fit, progress_, heldout_, last_update_, summary);
  return summary;
}

void OnlineLearner::save_checkpoint(const std::filesystem::path& path) const {
  if (!initialized()) throw std::invalid_argument("save_checkpoint: the learner has no dictionary yet");
  io::Checkpoint c;
  c.set_string("kind", "online");
  c.set_matrix("D", dictionary_);
  c.set_matrix("A", a_);
  c.set_matrix("B", b_);
  c.set_matrix("usage", usage_);
  Matrix<double> order(static_cast<Index>(order_.size()), 1);
  for (std::size_t i = 0; i < order_.size(); ++i) order(static_cast<Index>(i), 0) = static_cast<double>(order_[i]);
  c.set_matrix("order", order);
  c.set_int("position", position_);
  c.set_int("window_samples", window_samples_);
  c.set_int("batch_size", options_.batch_size);
  c.set_int("weighting", static_cast<std::int64_t>(options_.weighting));
  c.set_real("rho", options_.rho);
  save_common(c, progress_, heldout_, rng_, identity(static_cast<Index>(order_.size())));
  c.save(path);
}

RunIdentity OnlineLearner::identity(Index training_samples) const {
  return {options_.seed, options_.coding.penalty, options_.dictionary_sign, training_samples};
}

void OnlineLearner::load_checkpoint(const std::filesystem::path& path, Index training_samples) {
  const io::Checkpoint c = io::Checkpoint::load(path);
  const auto require = [&](bool same, const std::string& what) {
    if (!same) throw io::CheckpointError("checkpoint '" + path.string() + "' was written with a different " + what + "; cannot resume");
  };
  require(c.string("kind") == "online", "learner (it is not an online-learner checkpoint)");
  require(c.matrix("D").cols() == options_.atoms, "number of atoms");
  require(c.integer("batch_size") == options_.batch_size, "batch size");
  require(c.integer("weighting") == static_cast<std::int64_t>(options_.weighting) && c.real("rho") == options_.rho,
          "past weighting");
  restore_common(c, path, identity(training_samples), progress_, heldout_, rng_);
  dictionary_ = c.matrix("D");
  a_ = c.matrix("A");
  b_ = c.matrix("B");
  usage_ = c.matrix("usage");
  const Matrix<double>& order = c.matrix("order");
  order_.resize(static_cast<std::size_t>(order.rows()));
  for (Index i = 0; i < order.rows(); ++i) order_[static_cast<std::size_t>(i)] = static_cast<Index>(order(i, 0));
  position_ = c.integer("position");
  window_samples_ = c.integer("window_samples");
  require(a_.rows() == options_.atoms && b_.cols() == options_.atoms && b_.rows() == dictionary_.rows() &&
              usage_.size() == options_.atoms && position_ >= 0 && position_ <= static_cast<Index>(order_.size()),
          "layout (inconsistent shapes)");
}

}  // namespace sparsecode::sparse
