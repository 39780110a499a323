// What a dictionary learner's fit() reports, and its one-line report.
#pragma once

#include <limits>
#include <string>

#include "sparsecode/solvers/dictionary_qp.hpp"
#include "sparsecode/sparse/learner_progress.hpp"

namespace sparsecode::sparse {

/// Where the training time of fit()'s iterations went on this process, in seconds (this call's
/// iterations only: a resumed run does not carry the earlier run's split). For a data-parallel
/// run this is what scaling depends on: coding shrinks with the processes, the rest does not.
struct TimeSplit {
  /// Coding the mini-batch (or this process's share of it): G = DᵀD, the codes, and the terms
  /// of A and B added while the codes are made.
  double coding = 0;
  /// Data-parallel collectives (the sums and gathers of DataParallel), waiting for the other
  /// processes to arrive included; 0 without data parallelism.
  double exchange = 0;
  /// The rest of each step: the statistics' remaining terms, the dictionary update, replacement.
  double update = 0;
};

/// What fit() reports, for both learners.
struct LearnerSummary {
  Termination termination = Termination::iterations;
  LearnerProgress last;  ///< progress after the last iteration
  double best_heldout_objective = std::numeric_limits<double>::quiet_NaN();
  solvers::DictionaryUpdateSummary last_update;  ///< the last dictionary update (with the QP's KKT residual)
  bool resumed = false;                          ///< started from a checkpoint
  TimeSplit time_split;                          ///< where this call's training time went

  /// One line (Ceres style): why fit() stopped, iterations, samples and epochs, training time,
  /// the last iteration's objective, the held-out objectives if evaluated, atoms replaced, and
  /// the time split; e.g. "dictionary learning stopped (epochs) after 23 iterations (5888
  /// samples, 1 full epoch) in 1.2 s; objective 0.1234, held-out best 0.1190, 3 atoms
  /// replaced; coding 1.0 s, update 0.2 s" (", exchange … s" between them when data-parallel).
  std::string brief_report() const;
};

}  // namespace sparsecode::sparse
