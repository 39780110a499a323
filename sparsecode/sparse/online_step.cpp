// Online mini-batch dictionary learning step (Mairal et al. 2010): coding, weighted statistics, BCD, replacement.
#include "sparsecode/sparse/online_step.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <span>

#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/core/sample_checks.hpp"
#include "sparsecode/core/threads.hpp"
#include "sparsecode/sparse/atom_replacement.hpp"

namespace sparsecode::sparse {

void OnlineStep::reset(Index dimension) { statistics_.reset(dimension, options_.atoms); }

void OnlineStep::begin(Index training_samples, LearnerState& state) {
  next_ready_at_ = -1;  // a mini-batch read ahead in an earlier fit may come from other data
  if (static_cast<Index>(order_.size()) != training_samples) start_epoch(training_samples, state.rng);
}

void OnlineStep::start_epoch(Index n, std::mt19937_64& rng) {
  order_.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order_[static_cast<std::size_t>(i)] = i;
  core::shuffle(order_, rng);
  position_ = 0;
  next_ready_at_ = -1;
}

StepOutcome OnlineStep::step(const Matrix<double>& data, LearnerState& state) {
  const Index n = static_cast<Index>(order_.size());  // the whole training set's size
  const Index m = std::min<Index>(options_.batch_size, n - position_);
  StepOutcome outcome;
  if (!options_.parallel) {
    batch_.resize(data.rows(), m);
    for (Index i = 0; i < m; ++i) batch_.col(i) = data.col(order_[static_cast<std::size_t>(position_ + i)]);
    outcome = step_with(batch_, state, {}, order_.data() + position_);
  } else {
    // The mini-batch's indices are global; this process codes those in its shard, in batch order.
    const Index first = options_.parallel->first_sample();
    const Index last = first + data.cols();
    Index mine = 0;
    for (Index i = 0; i < m; ++i) {
      const Index g = order_[static_cast<std::size_t>(position_ + i)];
      mine += g >= first && g < last ? 1 : 0;
    }
    batch_.resize(data.rows(), mine);
    shard_rows_.clear();
    for (Index i = 0; i < m; ++i) {
      const Index g = order_[static_cast<std::size_t>(position_ + i)];
      if (g >= first && g < last) {
        batch_.col(static_cast<Index>(shard_rows_.size())) = data.col(g - first);
        shard_rows_.push_back(g);
      }
    }
    outcome = step_shared(batch_, m, state, shard_rows_.data());
  }
  position_ += m;
  if (position_ == n) {
    outcome.epoch_end = true;
    start_epoch(n, state.rng);
  }
  return outcome;
}

StepOutcome OnlineStep::step_from(const TrainingSource& source, LearnerState& state) {
  const Index n = static_cast<Index>(order_.size());
  const Index m = std::min<Index>(options_.batch_size, n - position_);
  if (next_ready_at_ == position_) {
    batch_.swap(next_batch_);
  } else {
    source.gather(order_.data() + position_, m, batch_);
  }
  next_ready_at_ = -1;
  // The next mini-batch of this epoch is known (the order is reshuffled only at an epoch's end):
  // it is read while this one's statistics and dictionary update run on one thread, so that a
  // file source's reads cost no time of their own.
  const Index next = position_ + m;
  std::function<void()> read_next;
  if (next < n) {
    read_next = [&] {
      source.gather(order_.data() + next, std::min<Index>(options_.batch_size, n - next), next_batch_);
    };
  }
  StepOutcome outcome = step_with(batch_, state, read_next, order_.data() + position_);
  if (next < n) next_ready_at_ = next;
  position_ += m;
  if (position_ == n) {
    outcome.epoch_end = true;
    start_epoch(n, state.rng);
  }
  return outcome;
}

EncodeSummary OnlineStep::code(const Matrix<double>& dictionary, const Matrix<double>& samples,
                               const SparseCoder<double>::ChunkVisitor& visit, const Index* rows) {
  if (options_.precision == OnlineLearnerOptions::Precision::float32) {
    // Coded in float; each chunk's codes are widened into codes_ before `visit` sees them.
    if (!single_coder_.coder) single_coder_.coder = std::make_unique<SparseCoder<float>>(options_.coding);
    // Samples finite in double may still overflow float: refused before they are rounded,
    // named by their training row, rather than reported by the float coder as Inf in a column
    // of the mini-batch.
    core::check_samples_fit_float(samples, "training data", "sample",
                                  [rows](Index j) { return rows ? rows[j] : j; });
    single_dictionary_ = dictionary.cast<float>();
    single_samples_ = samples.cast<float>();
    codes_.resize(dictionary.cols(), samples.cols());
    return single_coder_.coder->compute(single_dictionary_)
        .encode(single_samples_, single_codes_, [&](Index first, Index count) {
          codes_.middleCols(first, count) = single_codes_.middleCols(first, count).cast<double>();
          if (visit) visit(first, count);
        });
  }
  if (!coder_.coder) coder_.coder = std::make_unique<SparseCoder<double>>(options_.coding);
  // codes_ keeps its allocation across mini-batches of the same size (a cold start zeroes it).
  return coder_.coder->compute(dictionary).encode(samples, codes_, visit);
}

void OnlineStep::update_dictionary(LearnerState& state) {
  if (options_.precision == OnlineLearnerOptions::Precision::float32) {
    single_a_ = statistics_.a().cast<float>();
    single_b_ = statistics_.b().cast<float>();
    single_dictionary_ = state.dictionary.cast<float>();
    state.last_update = solvers::update_dictionary_bcd(single_a_, single_b_, single_dictionary_, options_.dictionary);
    state.dictionary = single_dictionary_.cast<double>();
    // Float's projection leaves norms up to 1 + 2⁻²³ in double: projected again, so that the
    // dictionary meets its constraint exactly, as float64's does.
    for (Index j = 0; j < state.dictionary.cols(); ++j) {
      solvers::project_atom<double>(state.dictionary.col(j), options_.dictionary.constraint);
    }
    return;
  }
  state.last_update =
      solvers::update_dictionary_bcd(statistics_.a(), statistics_.b(), state.dictionary, options_.dictionary);
}

double OnlineStep::past_weight(long long iteration) const {
  const double t = static_cast<double>(iteration);
  if (options_.weighting == PastWeighting::minibatch) {
    const double eta = static_cast<double>(options_.batch_size);
    const double theta = t < eta ? t * eta : eta * eta + t - eta;
    return (theta + 1.0 - eta) / (theta + 1.0);
  }
  return std::pow(1.0 - 1.0 / t, options_.rho);
}

StepOutcome OnlineStep::step_on(const Matrix<double>& samples, LearnerState& state) {
  return step_with(samples, state, {});
}

StepOutcome OnlineStep::step_with(const Matrix<double>& samples, LearnerState& state,
                                  const std::function<void()>& beside_update, const Index* rows) {
  const Index m = samples.cols();
  // Down-weight the past (§3.4), then add this mini-batch's mean contribution chunk by chunk as
  // the coder finishes them, while later chunks are still being coded: the same terms in the
  // same order as one add() after coding. One thread at a time adds, without a region of its
  // own: a second OpenMP region per mini-batch (beside the coding's) made learning 2x slower on
  // a loaded machine, where every region waits for a descheduled worker (issue 14, B1).
  const double weight = 1.0 / static_cast<double>(m);
  const core::internal::Stopwatch coding;
  const EncodeSummary coded = code(
      state.dictionary, samples,
      [&](Index first, Index count) {
        if (first == 0) statistics_.scale(past_weight(state.progress.iteration + 1));
        statistics_.add(samples.middleCols(first, count), codes_.middleCols(first, count), weight, 1);
      },
      rows);
  const double coding_seconds = coding.seconds();
  const auto update = [&] { update_dictionary(state); };
  if (beside_update && core::resolve_threads(options_.coding.threads) > 1) {
    // The update and the other work on two threads (the coding's second thread is idle here).
    std::exception_ptr failure;
#pragma omp parallel sections num_threads(2)
    {
#pragma omp section
      {
        try {
          update();
        } catch (...) {
#pragma omp critical(sparsecode_online_step_failure)
          failure = std::current_exception();
        }
      }
#pragma omp section
      {
        try {
          beside_update();
        } catch (...) {
#pragma omp critical(sparsecode_online_step_failure)
          if (!failure) failure = std::current_exception();
        }
      }
    }
    if (failure) std::rethrow_exception(failure);
  } else {
    update();
    if (beside_update) beside_update();
  }
  window_samples_ += m;
  StepOutcome outcome;
  outcome.atoms_replaced = replace_unused(samples, state);
  outcome.samples = m;
  outcome.mean_objective = coded.mean_objective;
  outcome.mean_nonzeros = coded.mean_nonzeros;
  outcome.not_converged = coded.not_converged;
  outcome.coding_seconds = coding_seconds;
  return outcome;
}

StepOutcome OnlineStep::step_shared(const Matrix<double>& mine, Index batch_size, LearnerState& state,
                                    const Index* rows) {
  const Index d = state.dictionary.rows();
  const Index k = state.dictionary.cols();
  const double weight = 1.0 / static_cast<double>(batch_size);  // as in step_on()
  // reduction_: B's increment (d×k), the three sums and the size of this process's packed
  // codes, summed over processes in one reduction.
  const Index kb = d * k;
  reduction_.assign(static_cast<std::size_t>(kb + 4), 0.0);
  packed_codes_.clear();
  double* sums = reduction_.data() + kb;  // Σ objective, Σ non-zeros, non-converged codes, packed size
  StepOutcome outcome;
  core::internal::Stopwatch watch;
  if (mine.cols() > 0) {
    Eigen::Map<Matrix<double>> b_increment(reduction_.data(), d, k);
    const EncodeSummary coded = code(
        state.dictionary, mine,
        [&](Index first, Index count) {
          const std::size_t at = packed_codes_.size();
          pack_codes(codes_.middleCols(first, count), packed_codes_);
          add_cross(mine.middleCols(first, count), std::span<const double>(packed_codes_).subspan(at), weight,
                    b_increment);
        },
        rows);
    const auto n = static_cast<double>(mine.cols());
    sums[0] = coded.mean_objective * n;
    sums[1] = coded.mean_nonzeros * n;
    sums[2] = static_cast<double>(coded.not_converged);
  }
  sums[3] = static_cast<double>(packed_codes_.size());
  outcome.coding_seconds = watch.seconds();
  watch.restart();
  options_.parallel->sum(reduction_.data(), static_cast<Index>(reduction_.size()));
  outcome.exchange_seconds = watch.seconds();
  statistics_.scale(past_weight(state.progress.iteration + 1));
  statistics_.accumulate_cross(Eigen::Map<const Matrix<double>>(reduction_.data(), d, k));
  // A's increment is dense (k×k) although each code has a few non-zeros s: while the whole
  // mini-batch's packed codes, η(1 + 2s) values, are no larger than what reducing A moves per
  // process (about 2k²), they are gathered and every process adds all of them to A, in process
  // order; beyond that (large mini-batches, dense codes) each process's A is reduced.
  if (sums[3] <= 2.0 * static_cast<double>(k) * static_cast<double>(k)) {
    watch.restart();
    const Matrix<double> all_codes = options_.parallel->gather_columns(
        Eigen::Map<const Matrix<double>>(packed_codes_.data(), 1, static_cast<Index>(packed_codes_.size())));
    outcome.exchange_seconds += watch.seconds();
    statistics_.add_outer(std::span<const double>(all_codes.data(), static_cast<std::size_t>(all_codes.size())), weight);
  } else {
    outer_reduction_.assign(static_cast<std::size_t>(k * k + k), 0.0);
    Eigen::Map<Matrix<double>> a_increment(outer_reduction_.data(), k, k);
    Eigen::Map<Vector<double>> usage_increment(outer_reduction_.data() + k * k, k);
    add_outer(packed_codes_, weight, a_increment, usage_increment);
    watch.restart();
    options_.parallel->sum(outer_reduction_.data(), static_cast<Index>(outer_reduction_.size()));
    outcome.exchange_seconds += watch.seconds();
    statistics_.accumulate_outer(a_increment, usage_increment);
  }
  window_samples_ += batch_size;
  update_dictionary(state);
  // Replacement draws from the whole mini-batch, gathered (in process order) only when due.
  if (replacement_due()) {
    watch.restart();
    const Matrix<double> batch = options_.parallel->gather_columns(mine);
    outcome.exchange_seconds += watch.seconds();
    outcome.atoms_replaced = replace_unused(batch, state);
  }
  outcome.samples = batch_size;
  outcome.mean_objective = sums[0] / static_cast<double>(batch_size);
  outcome.mean_nonzeros = sums[1] / static_cast<double>(batch_size);
  outcome.not_converged = static_cast<long long>(sums[2]);
  return outcome;
}

bool OnlineStep::replacement_due() const {
  if (options_.replace_window < 0) return false;
  const long long window =
      options_.replace_window > 0 ? options_.replace_window : 10 * static_cast<long long>(options_.atoms);
  return window_samples_ >= window;
}

long long OnlineStep::replace_unused(const Matrix<double>& batch, LearnerState& state) {
  if (!replacement_due()) return 0;
  const long long replaced =
      replace_unused_atoms(state.dictionary, statistics_, batch, options_.dictionary_sign, state.rng);
  statistics_.clear_usage();
  window_samples_ = 0;
  return replaced;
}

void OnlineStep::save(io::Checkpoint& c) const {
  c.set_matrix("A", statistics_.a());
  c.set_matrix("B", statistics_.b());
  c.set_matrix("usage", statistics_.usage());
  Matrix<double> order(static_cast<Index>(order_.size()), 1);
  for (std::size_t i = 0; i < order_.size(); ++i) order(static_cast<Index>(i), 0) = static_cast<double>(order_[i]);
  c.set_matrix("order", order);
  c.set_int("position", position_);
  c.set_int("window_samples", window_samples_);
  c.set_int("batch_size", options_.batch_size);
  c.set_int("weighting", static_cast<std::int64_t>(options_.weighting));
  c.set_real("rho", options_.rho);
  c.set_int("precision", static_cast<std::int64_t>(options_.precision));
}

void OnlineStep::restore(const io::Checkpoint& c, const std::filesystem::path& path, Index dimension) {
  const auto require = [&](bool same, const std::string& what) {
    if (!same) {
      throw io::CheckpointError("checkpoint '" + path.string() + "' was written with a different " + what +
                                "; cannot resume");
    }
  };
  require(c.integer("batch_size") == options_.batch_size, "batch size");
  require(c.integer("weighting") == static_cast<std::int64_t>(options_.weighting) && c.real("rho") == options_.rho,
          "past weighting");
  // Checkpoints written before the option existed coded in double.
  require((c.has("precision") ? c.integer("precision") : 0) ==
              static_cast<std::int64_t>(options_.precision),
          "precision (float32 or float64 learning)");
  const Matrix<double>& a = c.matrix("A");
  const Matrix<double>& b = c.matrix("B");
  const Matrix<double>& usage = c.matrix("usage");
  const Matrix<double>& order = c.matrix("order");
  const Index position = c.integer("position");
  require(a.rows() == options_.atoms && a.cols() == options_.atoms && b.cols() == options_.atoms &&
              b.rows() == dimension && usage.size() == options_.atoms && order.cols() == 1 && position >= 0 &&
              position <= order.rows(),
          "layout (inconsistent shapes)");
  statistics_.assign(a, b, usage.reshaped());
  order_.resize(static_cast<std::size_t>(order.rows()));
  for (Index i = 0; i < order.rows(); ++i) order_[static_cast<std::size_t>(i)] = static_cast<Index>(order(i, 0));
  position_ = position;
  window_samples_ = c.integer("window_samples");
}

}  // namespace sparsecode::sparse
