// Training a linear classifier end to end: standardization, validation split, penalty search, refit, bagging.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sparsecode/classify/classifier.hpp"
#include "sparsecode/solvers/lbfgs.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

/// Options of train_classifier. The defaults are the configuration of `sparsecode classify
/// train` without options: softmax, L2 chosen on a 10% validation split, full-batch L-BFGS.
/// Penalties refer to the mean loss over the samples (see Objective): scikit-learn's
/// LogisticRegression(C) on N samples is l2 = 1/(C·N).
struct TrainOptions {
  Loss loss = Loss::softmax;
  /// Choose l2 on the validation split (true) or use `l2` as given.
  bool auto_l2 = true;
  double l2 = 1e-4;  ///< weight decay when !auto_l2 (≥ 0)
  /// Candidates for auto_l2, tried in this (decreasing) order, each fit warm-started from the
  /// previous one; the search stops early after `grid_patience` candidates without a better
  /// validation accuracy. The first best one wins ties. Half-decades (1, 3, 10, …): on
  /// Fashion-MNIST's 8192 default features the best penalty, 3e-3, lies between two decades.
  std::vector<double> l2_grid = {1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6};
  int grid_patience = 1;
  /// L-BFGS iterations per candidate of the search (≥ 1; at most max_iterations are used):
  /// candidates are only compared, the chosen penalty is refit to convergence on all samples.
  int search_iterations = 100;
  double l1 = 0.0;  ///< L1 penalty on the weights (elastic net; OWL-QN, or proximal steps with dropout), ≥ 0
  /// Probability of dropping each input feature during training, in [0, 1). 0 trains with
  /// full-batch L-BFGS; > 0 with mini-batch Adam and inverted dropout (no test-time rescaling).
  double dropout = 0.0;
  /// Fraction of the samples held out to choose l2 and to stop mini-batch training early,
  /// in (0, 1); after the choice the model is refit on all samples. Unused with a fixed l2
  /// and no dropout.
  double validation_fraction = 0.1;
  int max_iterations = 300;  ///< L-BFGS iterations per fit, or epochs with dropout (≥ 1)
  double gradient_tolerance = 1e-4;  ///< L-BFGS: on ‖∇J‖∞ (scikit-learn's default tol)
  /// L-BFGS: stop when J decreased by less than this fraction over the last 10 iterations.
  double function_tolerance = 1e-4;
  Index batch_size = 256;            ///< dropout: mini-batch size
  double learning_rate = 1e-3;       ///< dropout: Adam's step
  int patience = 5;                  ///< dropout: epochs without validation improvement
  /// Bagged ensemble: with bags ≥ 2 the final model averages `bags` members, each trained on
  /// a bootstrap sample of all samples (L-BFGS warm-started from the full refit). ≥ 1.
  int bags = 1;
  std::uint64_t seed = 0;  ///< validation split, bootstrap samples, mini-batch order and masks
  int threads = 0;         ///< OpenMP threads (0 = all cores); results do not depend on it

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// One candidate of the penalty search.
struct GridPoint {
  double l2 = 0.0;
  double validation_accuracy = 0.0;
  int iterations = 0;  ///< L-BFGS iterations or epochs
  core::Termination reason = core::Termination::iterations;
};

struct TrainSummary {
  double l2 = 0.0;                ///< the penalty of the final model
  std::vector<GridPoint> grid;    ///< candidates tried (auto_l2), in order
  Index training_samples = 0;     ///< samples of the split used for the search (all without one)
  Index validation_samples = 0;
  core::Termination reason = core::Termination::iterations;  ///< of the final refit
  int iterations = 0;             ///< of the final refit
  double objective = std::numeric_limits<double>::quiet_NaN();   ///< final refit's J (L-BFGS)
  double training_accuracy = 0.0;  ///< of the returned model on all samples
  double seconds = 0.0;
};

/// One progress report: after each L-BFGS iteration or epoch of each fit.
struct TrainProgress {
  /// "search" (an iteration of a candidate fit), "validation" (a candidate done, with its
  /// validation accuracy), "refit" (on all samples) or "bag <k>".
  std::string stage;
  double l2 = 0.0;
  int iteration = 0;
  double objective = 0.0;
  double validation_accuracy = -1.0;  ///< −1 when not measured
  double seconds = 0.0;
};
using TrainCallback = std::function<void(const TrainProgress&)>;

struct TrainResult {
  Classifier model;
  TrainSummary summary;
};

/// Trains on the F×N `features` (samples as columns; taken by value so that a caller can move
/// a large matrix in: it is standardized and reordered in place) with `labels` in
/// [0, classes), classes = max label + 1 ≥ 2. Throws std::invalid_argument naming the problem
/// for empty features, a label count that differs from N, a negative label, fewer than two
/// classes, non-finite features, a validation split with no sample on either side, or
/// invalid options. Deterministic for a seed, identical for any thread count.
TrainResult train_classifier(Matrix<float> features, std::vector<int> labels, const TrainOptions& options,
                             const TrainCallback& callback = {});

}  // namespace sparsecode::classify
