// Mini-batch Adam for the linear classifiers, with inverted dropout on the input features and early stopping.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sparsecode/solvers/lbfgs.hpp"
#include "sparsecode/classify/loss.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

struct MinibatchOptions {
  Loss loss = Loss::softmax;
  double l2 = 0.0;             ///< weight decay in the objective (≥ 0)
  double l1 = 0.0;             ///< proximal soft-threshold of the weights by learning_rate·l1 per step (≥ 0)
  double dropout = 0.5;        ///< probability of zeroing a feature, in [0, 1)
  int epochs = 50;             ///< ≥ 1
  Index batch_size = 256;      ///< ≥ 1
  double learning_rate = 1e-3; ///< Adam's step size (> 0); β₁ = 0.9, β₂ = 0.999, ε = 1e-8
  int patience = 5;            ///< epochs without a better validation accuracy before stopping (≥ 1)
  std::uint64_t seed = 0;      ///< shuffling and dropout masks
  int threads = 0;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

struct MinibatchResult {
  core::Termination reason = core::Termination::epochs;
  int epochs = 0;                          ///< epochs run
  int best_epoch = 0;                      ///< epoch of the returned parameters (with validation)
  double best_validation_accuracy = -1.0;  ///< −1 without validation data
};

/// Called after each epoch with (epoch, mean training objective over its batches, validation
/// accuracy or −1).
using EpochCallback = std::function<void(int, double, double)>;

/// Adam on θ = [vec(W); b] (see Objective) over the columns `samples` of the standardized
/// F×N `features` (a multiset: a bootstrap sample repeats columns), reshuffled every epoch.
/// Inverted dropout: during training each feature of each sample is zeroed with probability
/// p and the kept ones are multiplied by 1/(1 − p), so the expected input is unchanged and
/// no rescaling is needed at test time. With validation columns, the accuracy on them is
/// measured after every epoch; training stops after `patience` epochs without improvement and
/// θ is the best epoch's. An epoch's parameters (validated and returned) are the average of its
/// iterates (Polyak–Ruppert averaging): at Adam's constant step the last iterate carries the
/// step's noise, the average does not; training itself continues from the last iterate.
/// Deterministic for a seed and independent of the thread count.
MinibatchResult train_minibatch(Eigen::Ref<const Matrix<float>> features, std::span<const int> labels,
                                const std::vector<Index>& samples, Eigen::Ref<const Matrix<float>> validation,
                                std::span<const int> validation_labels, int classes,
                                const MinibatchOptions& options, Vector<double>& theta,
                                const EpochCallback& callback = {});

/// Predicted class (argmax of the scores) of each column for parameters θ = [vec(W); b].
std::vector<int> predict_theta(const Vector<double>& theta, int classes, Eigen::Ref<const Matrix<float>> features,
                               int threads);

}  // namespace sparsecode::classify
