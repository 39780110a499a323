// Confusion counts and accuracies from two label sequences.
#include "sparsecode/classify/metrics.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace sparsecode::classify {

double accuracy(std::span<const int> predicted, std::span<const int> truth) {
  if (predicted.size() != truth.size() || truth.empty()) {
    throw std::invalid_argument("accuracy: " + std::to_string(predicted.size()) + " predictions for " +
                                std::to_string(truth.size()) + " labels");
  }
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

Evaluation evaluate(std::span<const int> predicted, std::span<const int> truth, int classes) {
  Evaluation e;
  e.accuracy = accuracy(predicted, truth);
  e.confusion = Matrix<std::int64_t>::Zero(classes, classes);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
      throw std::invalid_argument("evaluate: label " + std::to_string(std::min(truth[i], predicted[i])) +
                                  " or " + std::to_string(std::max(truth[i], predicted[i])) + " outside [0, " +
                                  std::to_string(classes) + ")");
    }
    ++e.confusion(truth[i], predicted[i]);
  }
  for (int c = 0; c < classes; ++c) {
    const auto total = e.confusion.row(c).sum();
    e.class_accuracy.push_back(total == 0 ? std::numeric_limits<double>::quiet_NaN()
                                          : static_cast<double>(e.confusion(c, c)) / static_cast<double>(total));
  }
  return e;
}

}  // namespace sparsecode::classify
