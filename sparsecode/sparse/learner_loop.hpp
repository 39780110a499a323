// The one training loop of the dictionary learners: progress, timing, stopping, held-out evaluation, callbacks, checkpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/data_parallel.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/learner_progress.hpp"
#include "sparsecode/sparse/learner_setup.hpp"
#include "sparsecode/sparse/learner_step.hpp"
#include "sparsecode/sparse/learner_summary.hpp"
#include "sparsecode/sparse/stop_criteria.hpp"

namespace sparsecode::sparse {

/// The loop's share of a learner's options (validated by the learner's options).
struct LoopSettings {
  Index atoms = 256;
  DictionaryInit init = DictionaryInit::data_patches;
  DictionarySign sign = DictionarySign::any;
  std::uint64_t seed = 0;
  EncodeOptions coding = default_coding();  ///< for the held-out objective (and in the run's identity)
  StopCriteria stop;
  long long evaluate_every = 0;             ///< held-out evaluation every this many iterations (0: at epoch ends)
  std::filesystem::path checkpoint;         ///< empty: no checkpoints
  long long checkpoint_every = 1;
  /// Data-parallel learning (null: this process holds all the data). With it, fit()'s data is
  /// this process's shard; initialisation, held-out evaluation and the training-set size span
  /// every process, and only the process that writes files writes checkpoints.
  std::shared_ptr<const DataParallel> parallel;

  /// Throws std::invalid_argument naming the field as `owner`.field (e.g.
  /// "OnlineLearnerOptions.checkpoint_every") and its value.
  void validate(const std::string& owner) const;
};

/// Runs a LearnerStep: owns the dictionary, the random-number generator, the progress, the
/// held-out bookkeeping and the checkpoint file's common entries (progress and every earlier
/// progress row, RNG state and the run's identity: seed, λ, λ₂, signs, training-set size and
/// io::sample_fingerprint of the training and held-out data, over every process's shard). The
/// step is passed to every call, so the learner that owns both can be moved.
class LearnerLoop {
 public:
  explicit LearnerLoop(LoopSettings settings);

  /// The initial dictionary by settings.init from `data` (d×N); the step's statistics reset.
  void initialize(LearnerStep& step, const Matrix<double>& data);
  /// A given initial dictionary (checked_initial_dictionary); the step's statistics reset.
  void initialize_with(LearnerStep& step, const Matrix<double>& dictionary);

  /// One step on exactly `samples` (initialising from them if needed), timed; no held-out
  /// evaluation, callback or checkpoint.
  LearnerProgress partial_fit(LearnerStep& step, const Matrix<double>& samples);

  /// Steps until the stop criteria, the step's convergence, early stopping or a callback that
  /// returns stop; after every iteration: held-out evaluation (every settings.evaluate_every
  /// iterations, or at epoch ends), the callback, a checkpoint every settings.checkpoint_every
  /// iterations; a final checkpoint at the end. Checks the inputs first (finite data, the
  /// held-out set's dimension, a held-out set for early stopping, the dictionary's dimension).
  LearnerSummary fit(LearnerStep& step, const Matrix<double>& data, const Matrix<double>& heldout,
                     const ProgressCallback& callback);

  /// fit() on a training set read on demand (the step gathers each mini-batch from `source`;
  /// non-finite samples are reported by the coder when their mini-batch is coded).
  /// Initialisation from data patches gathers its k samples from the source.
  LearnerSummary fit(LearnerStep& step, const TrainingSource& source, const Matrix<double>& heldout,
                     const ProgressCallback& callback);

  /// Mean objective of `data` coded exactly on the current dictionary (with settings.parallel:
  /// of every process's `data` together; collective); throws
  /// std::invalid_argument if there is no dictionary yet.
  double evaluate(const Matrix<double>& data) const;

  void save_checkpoint(const LearnerStep& step, const std::filesystem::path& path) const;
  /// Throws io::CheckpointError if the checkpoint is another learner's or another run's. The
  /// data fingerprints it holds are compared by the next fit(), which throws io::CheckpointError
  /// saying "the training data differ from the checkpoint's" (or "the held-out data") on a
  /// mismatch, before any step.
  void load_checkpoint(LearnerStep& step, const std::filesystem::path& path, Index training_samples);

  const LearnerState& state() const { return state_; }
  /// Every progress row fit() reported, including those of the run a checkpoint resumed.
  const std::vector<LearnerProgress>& history() const { return history_; }

 private:
  void record(const StepOutcome& outcome, double seconds);
  bool writes_checkpoints() const;
  /// fit()'s loop after its checks and initialisation; `one_step` runs one iteration.
  LearnerSummary run(LearnerStep& step, Index training_samples, const Matrix<double>& heldout,
                     const ProgressCallback& callback, const std::function<StepOutcome()>& one_step);  ///< a checkpoint path is set and this process writes files

  LoopSettings settings_;
  LearnerState state_;
  /// io::sample_fingerprint of the training and held-out sets (with settings.parallel: of every
  /// process's shards together, the same value for any number of processes; collective).
  std::pair<std::uint64_t, std::uint64_t> data_fingerprints(const Matrix<double>& data,
                                                            const Matrix<double>& heldout) const;
  void check_resumed_data(const std::pair<std::uint64_t, std::uint64_t>& fingerprints);

  HeldoutTracker heldout_;
  Index training_samples_ = 0;
  std::vector<LearnerProgress> history_;
  // data_fingerprints() of fit()'s data and held-out set (valid once fit() ran), and those of the
  // checkpoint being resumed, until fit() has compared them.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> fingerprints_;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> resumed_fingerprints_;
  std::filesystem::path resumed_from_;
};

}  // namespace sparsecode::sparse
