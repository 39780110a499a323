// Dictionary learning for the feature extractor: sparse coding, spherical k-means or a sparse autoencoder.
#pragma once

#include <string>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/core/types.hpp"
#include "sparsecode/features/fit_progress.hpp"
#include "sparsecode/features/options.hpp"

namespace sparsecode::features {

/// A learned dictionary: unit-norm atoms, and for the autoencoder its encoder (h = σ(W x + b)).
struct LearnedDictionary {
  Matrix<double> atoms;           ///< d×K, unit-norm columns
  Matrix<double> encoder_weights; ///< K×d (autoencoder only; empty otherwise)
  Vector<double> encoder_bias;    ///< K (autoencoder only)
  /// One line on how learning ended (objective, termination), for the CLI's summary.
  std::string report;
  /// The learner's termination: k-means iterations, sparse coding epochs, the autoencoder's
  /// L-BFGS reason, or user_callback when the callback stopped learning.
  core::Termination termination = core::Termination::iterations;
};

/// Learns options.atoms atoms from whitened patches (d×N) by options.dictionary with
/// options.seed: OnlineLearner (λ = options.lambda, one epoch), spherical_kmeans
/// (options.kmeans_iterations passes), or a sparse autoencoder (sigmoid hidden units, linear
/// decoder, L-BFGS; its W₁ rows normalized are the atoms). `threads` as in OpenMP (0: all).
/// `callback` (may be empty) is called after every iteration of the learner (FitCallback); a
/// stop returns the dictionary learned so far with termination user_callback.
/// Throws std::invalid_argument (invalid options, too few samples for K, non-finite data).
LearnedDictionary learn_dictionary(const Matrix<double>& whitened, const ExtractorOptions& options, int threads,
                                   const FitCallback& callback = {});

}  // namespace sparsecode::features
