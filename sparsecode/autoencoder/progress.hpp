// Training progress reports (per iteration or epoch), the callback type, and the training summary.
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "sparsecode/autoencoder/cost.hpp"

namespace sparsecode::autoencoder {

/// One report: after each L-BFGS iteration, or after each epoch of a mini-batch optimiser.
struct Progress {
  int iteration = 0;      ///< L-BFGS iteration or epoch, from 1
  CostTerms terms;        ///< cost terms on the training data (L-BFGS: at the accepted point;
                          ///< mini-batch: averaged over the epoch's batches)
  double validation_cost = std::numeric_limits<double>::quiet_NaN();  ///< NaN without validation data
  double seconds = 0.0;   ///< wall time since training started
};

/// What a callback asks the trainer to do next.
enum class CallbackAction { proceed, stop };

/// Called after every iteration/epoch. The library never prints; callers show or log progress.
using ProgressCallback = std::function<CallbackAction(const Progress&)>;

enum class TerminationReason {
  max_iterations,      ///< iteration or epoch budget used up
  gradient_tolerance,  ///< ‖∇J‖ ≤ tolerance
  function_tolerance,  ///< relative decrease of J below tolerance
  line_search_failed,  ///< no acceptable step (best point so far kept)
  early_stopping,      ///< validation cost did not improve for `patience` epochs (best weights restored)
  user_stopped,        ///< the callback returned CallbackAction::stop
};

std::string to_string(TerminationReason reason);

struct TrainingSummary {
  TerminationReason reason = TerminationReason::max_iterations;
  int iterations = 0;          ///< iterations or epochs done
  int evaluations = 0;         ///< cost+gradient evaluations (full batch or mini-batch)
  double initial_cost = 0.0;   ///< J on the training data before training
  CostTerms final_terms;       ///< J's terms on the training data for the returned parameters
  int best_epoch = 0;          ///< mini-batch with validation: epoch of the restored weights
  double best_validation_cost = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  std::string message;         ///< detail, e.g. the line search's complaint
};

}  // namespace sparsecode::autoencoder
