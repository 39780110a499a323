// Mini-batch Adam / SGD-with-momentum training with seeded shuffling, early stopping and max-norm.
#include "sparsecode/autoencoder/minibatch_trainer.hpp"
#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/random.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecode::autoencoder {

namespace {

void apply_max_norm(Model& model, double max_norm) {
  const auto clip_rows = [max_norm](auto&& W) {
    for (Index r = 0; r < W.rows(); ++r) {
      const double norm = W.row(r).norm();
      if (norm > max_norm) {
        W.row(r) *= max_norm / norm;
      }
    }
  };
  clip_rows(model.W1());
  if (model.architecture().tying == Tying::untied) {
    clip_rows(model.W2());
  }
}

void require(bool ok, const std::string& message) {
  if (!ok) {
    throw std::invalid_argument("mini-batch training: " + message);
  }
}

}  // namespace

void MinibatchOptions::validate() const {
  require(epochs >= 1, "epochs must be >= 1, got " + std::to_string(epochs));
  require(batch_size >= 1, "batch_size must be >= 1, got " + std::to_string(batch_size));
  require(learning_rate > 0.0 && std::isfinite(learning_rate),
          "learning_rate must be a finite number > 0, got " + std::to_string(learning_rate));
  require(momentum >= 0.0 && momentum < 1.0,
          "momentum must be in [0, 1), got " + std::to_string(momentum));
  require(adam_beta1 >= 0.0 && adam_beta1 < 1.0,
          "adam_beta1 must be in [0, 1), got " + std::to_string(adam_beta1));
  require(adam_beta2 >= 0.0 && adam_beta2 < 1.0,
          "adam_beta2 must be in [0, 1), got " + std::to_string(adam_beta2));
  require(adam_epsilon > 0.0, "adam_epsilon must be > 0, got " + std::to_string(adam_epsilon));
  require(patience >= 1, "patience must be >= 1, got " + std::to_string(patience));
  require(max_norm >= 0.0 && std::isfinite(max_norm),
          "max_norm must be a finite number >= 0, got " + std::to_string(max_norm));
}

std::pair<Matrix<double>, Matrix<double>> split_validation(const Matrix<double>& samples,
                                                           double fraction, std::uint64_t seed) {
  require(fraction >= 0.0 && fraction < 1.0,
          "validation fraction must be in [0, 1), got " + std::to_string(fraction));
  const Index m = samples.cols();
  const auto n_val = static_cast<Index>(std::floor(fraction * static_cast<double>(m)));
  require(m - n_val >= 1, "no training samples left after the validation split");
  std::vector<Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Index{0});
  std::mt19937_64 rng(seed);
  core::shuffle(order, rng);
  Matrix<double> validation(samples.rows(), n_val);
  Matrix<double> train(samples.rows(), m - n_val);
  for (Index j = 0; j < m; ++j) {
    const Index source = order[static_cast<std::size_t>(j)];
    if (j < n_val) {
      validation.col(j) = samples.col(source);
    } else {
      train.col(j - n_val) = samples.col(source);
    }
  }
  return {std::move(train), std::move(validation)};
}

TrainingSummary train_minibatch(Model& model, const CostOptions& cost_options,
                                const Matrix<double>& train, const Matrix<double>& validation,
                                const MinibatchOptions& options,
                                const ProgressCallback& callback) {
  options.validate();
  Cost cost(model.architecture(), cost_options);
  cost.check_data(train, "training data");
  const bool validating = validation.cols() > 0;
  if (validating) {
    cost.check_data(validation, "validation data");
  }
  const core::internal::Stopwatch elapsed;

  TrainingSummary summary;
  summary.initial_cost = cost.evaluate(model.parameters(), train, nullptr);
  const Index m = train.cols();
  const Index n = model.parameters().size();
  const Index batch = std::min(options.batch_size, m);
  std::vector<Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Index{0});
  std::mt19937_64 rng(options.seed);
  Vector<double> gradient(n);
  Vector<double> first = Vector<double>::Zero(n);   // Adam m_t, or SGD velocity
  Vector<double> second = Vector<double>::Zero(n);  // Adam v_t
  Matrix<double> batch_data(train.rows(), batch);
  Vector<double> best = model.parameters();
  double best_validation = std::numeric_limits<double>::infinity();
  int epochs_without_improvement = 0;
  long long step = 0;
  summary.termination = Termination::epochs;

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    core::shuffle(order, rng);
    Progress progress;
    progress.iteration = epoch;
    progress.terms.rho_hat = Vector<double>::Zero(model.architecture().hidden);
    int batches = 0;
    for (Index first_col = 0; first_col < m; first_col += batch) {
      const Index size = std::min(batch, m - first_col);
      for (Index j = 0; j < size; ++j) {
        batch_data.col(j) = train.col(order[static_cast<std::size_t>(first_col + j)]);
      }
      CostTerms terms;
      cost.evaluate(model.parameters(), batch_data.leftCols(size), &gradient, &terms);
      ++summary.evaluations;
      ++step;
      ++batches;
      progress.terms.reconstruction += terms.reconstruction;
      progress.terms.weight_decay += terms.weight_decay;
      progress.terms.sparsity += terms.sparsity;
      progress.terms.l1 += terms.l1;
      progress.terms.rho_hat += terms.rho_hat;
      Vector<double>& theta = model.parameters();
      if (options.method == MinibatchMethod::adam) {
        first = options.adam_beta1 * first + (1.0 - options.adam_beta1) * gradient;
        second = options.adam_beta2 * second +
                 (1.0 - options.adam_beta2) * gradient.cwiseProduct(gradient);
        const double c1 = 1.0 - std::pow(options.adam_beta1, static_cast<double>(step));
        const double c2 = 1.0 - std::pow(options.adam_beta2, static_cast<double>(step));
        theta.array() -= options.learning_rate * (first.array() / c1) /
                         ((second.array() / c2).sqrt() + options.adam_epsilon);
      } else {
        first = options.momentum * first - options.learning_rate * gradient;
        theta += first;
      }
      if (options.max_norm > 0.0) {
        apply_max_norm(model, options.max_norm);
      }
    }
    const double scale = 1.0 / batches;
    progress.terms.reconstruction *= scale;
    progress.terms.weight_decay *= scale;
    progress.terms.sparsity *= scale;
    progress.terms.l1 *= scale;
    progress.terms.rho_hat *= scale;
    summary.iterations = epoch;
    if (!model.parameters().allFinite()) {
      throw std::runtime_error("mini-batch training diverged at epoch " + std::to_string(epoch) +
                               " (non-finite parameters); lower the learning rate");
    }
    bool stop_early = false;
    if (validating) {
      progress.validation_cost = cost.evaluate(model.parameters(), validation, nullptr);
      if (progress.validation_cost < best_validation) {
        best_validation = progress.validation_cost;
        best = model.parameters();
        summary.best_epoch = epoch;
        epochs_without_improvement = 0;
      } else if (++epochs_without_improvement >= options.patience) {
        stop_early = true;
      }
    }
    progress.seconds = elapsed.seconds();
    if (callback && callback(progress) == CallbackResult::stop) {
      summary.termination = Termination::user_callback;
      break;
    }
    if (stop_early) {
      summary.termination = Termination::early_stopping;
      break;
    }
  }
  if (validating) {
    model.set_parameters(best);
    summary.best_validation_cost = best_validation;
  }
  cost.evaluate(model.parameters(), train, nullptr, &summary.final_terms);
  summary.seconds = elapsed.seconds();
  return summary;
}

}  // namespace sparsecode::autoencoder
