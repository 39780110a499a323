// Mini-batch training of a sparse autoencoder: Adam or SGD with momentum, early stopping, max-norm.
#pragma once

#include <cstdint>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "sparsecode/autoencoder/progress.hpp"

namespace sparsecode::autoencoder {

enum class MinibatchMethod {
  adam,          ///< Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015
  sgd_momentum,  ///< heavy-ball SGD: v ← μv − η∇J, θ ← θ + v (Polyak 1964)
};

/// Options of mini-batch training. J is evaluated on each batch with ρ̂ the batch's mean
/// activation. Every epoch visits the training samples once in a seeded random order.
struct MinibatchOptions {
  MinibatchMethod method = MinibatchMethod::adam;
  int epochs = 100;              ///< ≥ 1
  Index batch_size = 256;        ///< ≥ 1 (the last batch of an epoch may be smaller)
  double learning_rate = 1e-3;   ///< η > 0 (Adam's α)
  double momentum = 0.9;         ///< μ in [0, 1) for SGD
  double adam_beta1 = 0.9;       ///< in [0, 1)
  double adam_beta2 = 0.999;     ///< in [0, 1)
  double adam_epsilon = 1e-8;    ///< > 0
  int patience = 10;             ///< epochs without validation improvement before stopping (≥ 1)
  double max_norm = 0.0;         ///< > 0: after each step every row of W₁ and W₂ is scaled to norm ≤ this; 0 = off
  std::uint64_t seed = 0;        ///< shuffling seed

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Trains from the current model.parameters() on d×m `train`. If `validation` has columns,
/// J on it (all of it, one batch) is computed after every epoch; training stops after
/// `patience` epochs without improvement and the parameters of the best epoch are restored
/// (summary.best_epoch, summary.best_validation_cost). Data are checked first.
TrainingSummary train_minibatch(Model& model, const CostOptions& cost_options,
                                const Matrix<double>& train, const Matrix<double>& validation,
                                const MinibatchOptions& options,
                                const ProgressCallback& callback = {});

/// Splits the columns of `samples` into (train, validation): a seeded random `fraction` of them
/// (rounded down) goes to validation. fraction in [0, 1); throws std::invalid_argument otherwise
/// or if the training part would be empty.
std::pair<Matrix<double>, Matrix<double>> split_validation(const Matrix<double>& samples,
                                                           double fraction, std::uint64_t seed);

}  // namespace sparsecode::autoencoder
