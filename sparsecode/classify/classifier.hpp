// A trained linear classifier: the standardization statistics and one or more (bagged) linear members.
#pragma once

#include <vector>

#include "sparsecode/classify/loss.hpp"
#include "sparsecode/classify/standardizer.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

/// Scores Wᵀz + b of one linear model on standardized features z.
struct LinearMember {
  Matrix<float> weights;  ///< F×C
  Vector<float> bias;     ///< C
};

/// The model `classify train` writes. With several members (a bagged ensemble) the class
/// probabilities (softmax) or the scores (squared hinge) of the members are averaged.
struct Classifier {
  Loss loss = Loss::softmax;
  Standardizer standardizer;
  std::vector<LinearMember> members;
  double l2 = 0.0;  ///< the penalties it was trained with (informative)
  double l1 = 0.0;

  Index features() const { return standardizer.features(); }
  int classes() const { return members.empty() ? 0 : static_cast<int>(members.front().bias.size()); }

  /// Throws std::invalid_argument if the parts disagree in shape, a member is missing, or a
  /// value is not finite.
  void validate() const;

  /// C×N: averaged softmax probabilities (softmax) or averaged scores (squared hinge) of the
  /// raw (not yet standardized) F×N features. Throws std::invalid_argument if F differs or a
  /// feature is not finite.
  Matrix<float> decision(const Matrix<float>& features, int threads = 0) const;

  /// decision() of features that are already standardized.
  Matrix<float> decision_standardized(Eigen::Ref<const Matrix<float>> standardized, int threads = 0) const;

  /// argmax of decision() per column (the lowest class index on ties).
  std::vector<int> predict(const Matrix<float>& features, int threads = 0) const;
};

/// Index of the largest entry of every column (the lowest on ties).
std::vector<int> argmax_columns(const Matrix<float>& scores);

/// Softmax of every column, in place (the maximum subtracted first).
void softmax_columns(Matrix<float>& scores);

}  // namespace sparsecode::classify
