// The per-sample losses of the linear classifiers: multinomial logistic (softmax) and one-vs-rest squared hinge.
#pragma once

#include <string>

namespace sparsecode::classify {

/// Loss of a linear classifier with scores s = Wᵀx + b (one per class) and label y.
enum class Loss {
  /// Multinomial logistic regression: −log softmax(s)_y = log Σ_c exp(s_c) − s_y.
  softmax,
  /// One-vs-rest L2-SVM (Coates & Ng 2011): Σ_c max(0, 1 − t_c s_c)², t_c = +1 if c = y else −1.
  squared_hinge,
};

/// "softmax" or "squared-hinge" (the CLI's spelling).
std::string to_string(Loss loss);

/// Inverse of to_string; throws std::invalid_argument naming the text for anything else.
Loss parse_loss(const std::string& text);

/// The loss of one sample and its derivative with respect to the scores.
/// `scores` and `derivative` point to `classes` values; 0 ≤ label < classes.
double sample_loss(Loss loss, const double* scores, int classes, int label, double* derivative);

}  // namespace sparsecode::classify
