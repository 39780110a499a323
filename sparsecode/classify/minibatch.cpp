// Adam over shuffled mini-batches with inverted-dropout masks drawn from one seeded stream, averaged per epoch.
#include "sparsecode/classify/minibatch.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "sparsecode/classify/classifier.hpp"
#include "sparsecode/classify/metrics.hpp"
#include "sparsecode/classify/objective.hpp"
#include "sparsecode/core/random.hpp"

namespace sparsecode::classify {

void MinibatchOptions::validate() const {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("mini-batch training: " + what); };
  if (!(l2 >= 0.0) || !std::isfinite(l2)) fail("l2 must be finite and >= 0");
  if (!(l1 >= 0.0) || !std::isfinite(l1)) fail("l1 must be finite and >= 0");
  if (!(dropout >= 0.0 && dropout < 1.0)) fail("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (epochs < 1) fail("epochs must be >= 1, got " + std::to_string(epochs));
  if (batch_size < 1) fail("batch_size must be >= 1");
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) fail("learning_rate must be > 0");
  if (patience < 1) fail("patience must be >= 1");
}

std::vector<int> predict_theta(const Vector<double>& theta, int classes, Eigen::Ref<const Matrix<float>> features,
                               int threads) {
  const Index f = features.rows();
  const Matrix<float> w = Eigen::Map<const Matrix<double>>(theta.data(), f, classes).cast<float>();
  const Vector<float> b = theta.tail(classes).cast<float>();
  return argmax_columns(linear_scores(w, b, features, threads));
}

MinibatchResult train_minibatch(Eigen::Ref<const Matrix<float>> features, std::span<const int> labels,
                                const std::vector<Index>& samples, Eigen::Ref<const Matrix<float>> validation,
                                std::span<const int> validation_labels, int classes,
                                const MinibatchOptions& options, Vector<double>& theta,
                                const EpochCallback& callback) {
  options.validate();
  const Index f = features.rows();
  if (samples.empty()) throw std::invalid_argument("mini-batch training: no training sample");
  if (theta.size() != (f + 1) * classes) throw std::invalid_argument("mini-batch training: theta has the wrong size");
  const bool has_validation = validation.cols() > 0;
  std::mt19937_64 rng(options.seed);
  // Dropout draws 16 bits per feature: keep when the draw is ≥ p·65536.
  const auto threshold = static_cast<std::uint32_t>(std::lround(options.dropout * 65536.0));
  const float keep_scale = static_cast<float>(1.0 / (1.0 - options.dropout));
  const Index weights = f * classes;
  Vector<double> m = Vector<double>::Zero(theta.size()), v = Vector<double>::Zero(theta.size());
  Vector<double> gradient, best = theta, average(theta.size());
  std::vector<Index> order = samples;
  MinibatchResult result;
  long long step = 0;
  int since_best = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    core::shuffle(order, rng);
    double objective_sum = 0.0;
    int batches = 0;
    average.setZero();
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(options.batch_size)) {
      const std::size_t count = std::min(order.size() - start, static_cast<std::size_t>(options.batch_size));
      Matrix<float> xb(f, static_cast<Index>(count));
      std::vector<int> yb(count);
      for (std::size_t j = 0; j < count; ++j) {
        const Index col = order[start + j];
        xb.col(static_cast<Index>(j)) = features.col(col);
        yb[j] = labels[static_cast<std::size_t>(col)];
      }
      if (threshold > 0) {
        float* data = xb.data();
        const Index total = xb.size();
        for (Index i = 0; i < total; i += 4) {
          std::uint64_t bits = rng();
          for (Index q = i; q < std::min(total, i + 4); ++q, bits >>= 16) {
            data[q] = (bits & 0xFFFF) >= threshold ? data[q] * keep_scale : 0.0f;
          }
        }
      }
      const Objective objective(xb, yb, classes, options.loss, options.l2, {}, options.threads);
      objective_sum += objective(theta, gradient);
      ++batches;
      ++step;
      constexpr double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
      m = beta1 * m + (1.0 - beta1) * gradient;
      v = beta2 * v + (1.0 - beta2) * gradient.cwiseAbs2();
      const double c1 = 1.0 - std::pow(beta1, static_cast<double>(step));
      const double c2 = 1.0 - std::pow(beta2, static_cast<double>(step));
      theta.array() -= options.learning_rate * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
      if (options.l1 > 0.0) {
        const double t = options.learning_rate * options.l1;
        auto w = theta.head(weights).array();
        w = w.sign() * (w.abs() - t).max(0.0);
      }
      average += (theta - average) / static_cast<double>(batches);
    }
    result.epochs = epoch;
    double validation_accuracy = -1.0;
    if (has_validation) {
      validation_accuracy = accuracy(predict_theta(average, classes, validation, options.threads), validation_labels);
      if (validation_accuracy > result.best_validation_accuracy) {
        result.best_validation_accuracy = validation_accuracy;
        result.best_epoch = epoch;
        best = average;
        since_best = 0;
      } else {
        ++since_best;
      }
    }
    if (callback) callback(epoch, objective_sum / batches, validation_accuracy);
    if (has_validation && since_best >= options.patience) {
      result.reason = core::Termination::early_stopping;
      break;
    }
  }
  if (has_validation) {
    theta = best;
  } else {
    theta = average;
    result.best_epoch = result.epochs;
  }
  return result;
}

}  // namespace sparsecode::classify
