// The step strategy behind the learner loop: one iteration of a dictionary learner, and its checkpoint state.
#pragma once

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "sparsecode/core/types.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/solvers/dictionary_qp.hpp"
#include "sparsecode/sparse/learner_progress.hpp"
#include "sparsecode/sparse/training_source.hpp"

namespace sparsecode::sparse {

/// The state every learner has, owned by LearnerLoop and lent to the step.
struct LearnerState {
  Matrix<double> dictionary;  ///< d×k (empty until initialised)
  std::mt19937_64 rng;        ///< seeded once; drives initialisation, visiting orders, replacement
  LearnerProgress progress;   ///< counters after the last iteration
  solvers::DictionaryUpdateSummary last_update;
};

/// What one iteration did; LearnerLoop folds it into the progress.
struct StepOutcome {
  Index samples = 0;             ///< samples coded
  double mean_objective = 0;     ///< their mean objective on D before the update
  double mean_nonzeros = 0;      ///< their mean non-zeros per code
  long long atoms_replaced = 0;  ///< atoms replaced in this iteration
  /// Codes of this iteration whose solve stopped short of convergence (iteration cap or
  /// numerical trouble: EncodeSummary::not_converged), summed over processes when data-parallel.
  long long not_converged = 0;
  bool epoch_end = false;        ///< the iteration completed a pass over the training set
  bool converged = false;        ///< the step's own convergence test holds (fit() only)
  double coding_seconds = 0;     ///< time in coding (see TimeSplit::coding)
  double exchange_seconds = 0;   ///< time in data-parallel collectives (see TimeSplit::exchange)
};

/// One iteration of a dictionary learner (code samples on state.dictionary, update the
/// statistics, update the dictionary, replace unused atoms), with the state that only this
/// kind of learner has. LearnerLoop owns everything else: progress, timing, stopping,
/// held-out evaluation, callbacks and checkpoint cadence.
class LearnerStep {
 public:
  virtual ~LearnerStep() = default;

  /// The checkpoint's "kind" entry, e.g. "online".
  virtual std::string kind() const = 0;
  /// Fresh statistics for a new dictionary of `dimension` rows.
  virtual void reset(Index dimension) = 0;
  /// At the start of fit() on `training_samples` samples.
  virtual void begin(Index training_samples, LearnerState& state) = 0;
  /// One iteration of fit() on the training set `data` (d×N).
  virtual StepOutcome step(const Matrix<double>& data, LearnerState& state) = 0;
  /// One iteration on exactly `samples` (partial_fit), which have the dictionary's dimension.
  virtual StepOutcome step_on(const Matrix<double>& samples, LearnerState& state) = 0;
  /// One iteration of fit() on a training set read on demand; learners that need their whole
  /// training set in memory throw std::invalid_argument (the default).
  virtual StepOutcome step_from(const TrainingSource& /*source*/, LearnerState& /*state*/) {
    throw std::invalid_argument("the " + kind() + " learner needs its training data in memory");
  }
  /// Writes this learner's own entries into the checkpoint.
  virtual void save(io::Checkpoint& checkpoint) const = 0;
  /// Checks that the checkpoint `path` was written with this learner's settings (throws
  /// io::CheckpointError naming the difference) and restores its own entries; `dimension` is
  /// the restored dictionary's.
  virtual void restore(const io::Checkpoint& checkpoint, const std::filesystem::path& path, Index dimension) = 0;

 protected:
  LearnerStep() = default;
  LearnerStep(const LearnerStep&) = default;
  LearnerStep& operator=(const LearnerStep&) = default;
};

}  // namespace sparsecode::sparse
