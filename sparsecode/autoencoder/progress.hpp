// Training progress reports (per iteration or epoch), the callback type, and the training summary with its brief report.
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/core/termination.hpp"

namespace sparsecode::autoencoder {

/// One report: after each L-BFGS iteration, or after each epoch of a mini-batch optimiser.
struct Progress {
  int iteration = 0;      ///< L-BFGS iteration or epoch, from 1
  CostTerms terms;        ///< cost terms on the training data (L-BFGS: at the accepted point;
                          ///< mini-batch: averaged over the epoch's batches)
  double validation_cost = std::numeric_limits<double>::quiet_NaN();  ///< NaN without validation data
  double seconds = 0.0;   ///< wall time since training started
};

using core::CallbackResult;
using core::Termination;
using core::to_string;

/// Called after every iteration/epoch. Returning CallbackResult::stop ends training after this
/// iteration/epoch with termination Termination::user_callback. The library never prints;
/// callers show or log progress.
using ProgressCallback = std::function<CallbackResult(const Progress&)>;

/// What a trainer reports. termination: iterations (L-BFGS budget), epochs (mini-batch budget),
/// gradient_tolerance, function_tolerance, line_search_failed, early_stopping or user_callback.
struct TrainingSummary {
  Termination termination = Termination::iterations;
  int iterations = 0;          ///< iterations or epochs done
  int evaluations = 0;         ///< cost+gradient evaluations (full batch or mini-batch)
  double initial_cost = 0.0;   ///< J on the training data before training
  CostTerms final_terms;       ///< J's terms on the training data for the returned parameters
  int best_epoch = 0;          ///< mini-batch with validation: epoch of the restored weights
  double best_validation_cost = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  std::string message;         ///< detail, e.g. the line search's complaint

  /// One line (Ceres style): why training stopped, iterations/epochs and evaluations, time,
  /// initial and final cost (with the final terms), the best validation cost if any.
  std::string brief_report() const;
};

}  // namespace sparsecode::autoencoder
