// How an iterative trainer ends: the callback's answer and the termination reason shared by learners and autoencoder trainers.
#pragma once

#include <string>

namespace sparsecode::core {

/// What a progress callback asks the trainer to do next (learners and autoencoder trainers).
enum class CallbackResult { proceed, stop };

/// Why a trainer returned. Learners (sparse::OnlineLearner, sparse::BatchLearner) and the
/// autoencoder trainers (autoencoder::train_lbfgs, autoencoder::train_minibatch) report one of
/// these in their summaries' `termination`.
enum class Termination {
  epochs,              ///< the epoch budget is used up
  iterations,          ///< the iteration budget is used up (mini-batches, passes or L-BFGS steps)
  samples,             ///< the sample budget is used up
  seconds,             ///< the time budget is used up
  early_stopping,      ///< the held-out/validation objective stopped improving (patience)
  converged,           ///< relative objective decrease below the tolerance (batch learner)
  gradient_tolerance,  ///< ‖∇J‖ ≤ tolerance (L-BFGS)
  function_tolerance,  ///< relative decrease of J below tolerance (L-BFGS)
  line_search_failed,  ///< no acceptable step (L-BFGS; best point so far kept)
  user_callback,       ///< the progress callback returned CallbackResult::stop
};

/// The enumerator's name, e.g. "user_callback".
std::string to_string(Termination termination);

/// The reason in words, for reports: "epoch budget used up", "held-out objective stopped
/// improving", ... (to_string gives the identifier that bindings and logs use).
std::string describe(Termination termination);

}  // namespace sparsecode::core
