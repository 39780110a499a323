// When a dictionary learner stops: budgets (epochs, iterations, samples, seconds) and early stopping on a held-out set.
#pragma once

#include <limits>
#include <optional>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/learner_progress.hpp"

namespace sparsecode::sparse {

/// When to stop fit(); totals count from the start of learning, across resumes. A criterion
/// that is 0 is off; at least one of epochs, iterations, samples, seconds must be on.
struct StopCriteria {
  long long epochs = 1;
  long long iterations = 0;
  long long samples = 0;
  double seconds = 0;
  /// Early stopping on the held-out objective (needs a held-out set): stop after this many
  /// evaluations without a relative improvement of at least `min_improvement` (0: off).
  int patience = 0;
  double min_improvement = 1e-4;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// The first of epochs, iterations, samples, seconds that `progress` has reached, if any.
std::optional<Termination> stop_reached(const StopCriteria& stop, const LearnerProgress& progress);

/// How much of the run is done, in [0, 1]: the largest ratio of progress to budget over the
/// criteria that are on (epochs counted in samples, so an online epoch advances smoothly;
/// `training_samples` is N). Early stopping may end the run sooner.
double fraction_done(const StopCriteria& stop, const LearnerProgress& progress, Index training_samples);

/// Early-stopping bookkeeping on the held-out objective: the best value so far and how many
/// evaluations since it improved by the relative margin `min_improvement`.
struct HeldoutTracker {
  double best = std::numeric_limits<double>::quiet_NaN();
  long long without_improvement = 0;

  /// Records an evaluation; returns true when `patience` (> 0) evaluations passed without improvement.
  bool record(double objective, const StopCriteria& stop);
};

}  // namespace sparsecode::sparse
