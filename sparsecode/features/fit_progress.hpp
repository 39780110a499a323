// Progress of the feature extractor's dictionary learning and the callback that may stop it.
#pragma once

#include <functional>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/features/options.hpp"

namespace sparsecode::features {

/// One report of Extractor::fit (learn_dictionary), after each iteration of the dictionary
/// learner: a spherical k-means pass, a sparse-coding mini-batch or an L-BFGS iteration of the
/// autoencoder.
struct FitProgress {
  DictionaryKind dictionary = DictionaryKind::kmeans;  ///< which learner reports
  long long iteration = 0;  ///< iterations of that learner done so far, from 1
  /// k-means: the mean objective at this pass's assignment; sparse coding: the mini-batch
  /// objective; autoencoder: the cost J at the accepted point.
  double objective = 0.0;
  double seconds = 0.0;  ///< wall time of the dictionary learner so far
};

/// Called from the thread that called fit, after every iteration of the dictionary learner.
/// Returning core::CallbackResult::stop ends learning after that iteration, as the learners and
/// the autoencoder trainers do: fit still returns a usable extractor built on the dictionary
/// learned so far, and its FitSummary reports core::Termination::user_callback. An exception
/// thrown by the callback propagates out of fit (nothing is returned). An empty callback
/// changes nothing: fit's results are the same bits with or without a callback that proceeds.
using FitCallback = std::function<core::CallbackResult(const FitProgress&)>;

}  // namespace sparsecode::features
