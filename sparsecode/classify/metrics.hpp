// Accuracy, per-class accuracy and the confusion matrix of predicted against true labels.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

struct Evaluation {
  Matrix<std::int64_t> confusion;      ///< classes×classes: row = true class, column = predicted
  double accuracy = 0.0;               ///< fraction correct
  std::vector<double> class_accuracy;  ///< per true class (NaN for a class with no sample)
};

/// Compares `predicted` with `truth` over `classes` classes. Throws std::invalid_argument if
/// the lengths differ, they are empty, or a label is outside [0, classes).
Evaluation evaluate(std::span<const int> predicted, std::span<const int> truth, int classes);

/// Fraction of equal entries (lengths must agree and be > 0).
double accuracy(std::span<const int> predicted, std::span<const int> truth);

}  // namespace sparsecode::classify
