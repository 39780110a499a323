// What a dictionary learner reports after every iteration, the callback that receives it, and its CSV log.
#pragma once

#include <filesystem>
#include <functional>
#include <limits>
#include <vector>

#include "sparsecode/core/termination.hpp"

namespace sparsecode::sparse {

using core::CallbackResult;
using core::Termination;
using core::to_string;

/// What a learner reports after every iteration (a mini-batch for the online learner, a pass
/// over all samples for the batch learner).
struct LearnerProgress {
  long long iteration = 0;      ///< iterations done so far (1 after the first)
  long long samples_seen = 0;   ///< samples coded for training so far
  long long epoch = 0;          ///< completed passes over the training set
  double batch_objective = 0;   ///< mean ½‖x − Da‖² + λ‖a‖₁ of this iteration's samples (D before its update)
  /// Mean objective on the held-out set (coded with the same solver and λ) if evaluated at
  /// this iteration, NaN otherwise.
  double heldout_objective = std::numeric_limits<double>::quiet_NaN();
  double mean_nonzeros = 0;     ///< mean non-zeros per code in this iteration
  long long atoms_replaced = 0; ///< unused atoms replaced by data samples so far (cumulative)
  double seconds = 0;           ///< training time so far (held-out evaluation excluded)
  /// Training codes so far whose solve did not converge (iteration cap or numerical trouble;
  /// cumulative; in the checkpoint's progress, not in its history rows nor in the CSV).
  long long not_converged = 0;
};

/// Called by fit() after every iteration (after the held-out evaluation, before the checkpoint
/// of that iteration). Returning CallbackResult::stop ends fit() after this iteration with
/// termination Termination::user_callback (the final checkpoint is still written).
using ProgressCallback = std::function<CallbackResult(const LearnerProgress&)>;

/// Writes progress rows as CSV (header iteration,samples_seen,epoch,batch_objective,
/// heldout_objective,mean_nonzeros,atoms_replaced,seconds; an empty field when not evaluated),
/// atomically. Throws std::runtime_error naming the file on failure.
void write_progress_csv(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows);

}  // namespace sparsecode::sparse
