// What a dictionary learner's fit() reports, and its one-line report.
#pragma once

#include <limits>
#include <string>

#include "sparsecode/solvers/dictionary_qp.hpp"
#include "sparsecode/sparse/learner_progress.hpp"

namespace sparsecode::sparse {

/// What fit() reports, for both learners.
struct LearnerSummary {
  Termination termination = Termination::iterations;
  LearnerProgress last;  ///< progress after the last iteration
  double best_heldout_objective = std::numeric_limits<double>::quiet_NaN();
  solvers::DictionaryUpdateSummary last_update;  ///< the last dictionary update (with the QP's KKT residual)
  bool resumed = false;                          ///< started from a checkpoint

  /// One line (Ceres style): why fit() stopped, iterations, samples and epochs, training time,
  /// the last iteration's objective, the held-out objectives if evaluated, atoms replaced; e.g.
  /// "dictionary learning: termination epochs after 23 iterations (5888 samples, 1 epochs) in
  /// 1.2 s; objective 0.1234, held-out best 0.1190, 3 atoms replaced".
  std::string brief_report() const;
};

}  // namespace sparsecode::sparse
