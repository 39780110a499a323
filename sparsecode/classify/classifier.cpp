// Prediction with a (possibly bagged) linear classifier: standardize, score, average, argmax.
#include "sparsecode/classify/classifier.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsecode/classify/objective.hpp"

namespace sparsecode::classify {

void Classifier::validate() const {
  const Index f = standardizer.mean.size();
  if (f == 0 || standardizer.scale.size() != f) {
    throw std::invalid_argument("classifier: standardizer has " + std::to_string(f) + " means and " +
                                std::to_string(standardizer.scale.size()) + " scales");
  }
  if (members.empty()) throw std::invalid_argument("classifier: no linear member");
  const Index c = members.front().bias.size();
  if (c < 2) throw std::invalid_argument("classifier: classes must be >= 2, got " + std::to_string(c));
  for (const LinearMember& m : members) {
    if (m.weights.rows() != f || m.weights.cols() != c || m.bias.size() != c) {
      throw std::invalid_argument("classifier: a member's weights are " + std::to_string(m.weights.rows()) + "×" +
                                  std::to_string(m.weights.cols()) + ", expected " + std::to_string(f) + "×" +
                                  std::to_string(c));
    }
    if (!m.weights.allFinite() || !m.bias.allFinite()) {
      throw std::invalid_argument("classifier: non-finite weights");
    }
  }
  if (!standardizer.mean.allFinite() || !standardizer.scale.allFinite()) {
    throw std::invalid_argument("classifier: non-finite standardization statistics");
  }
}

void softmax_columns(Matrix<float>& scores) {
  for (Index j = 0; j < scores.cols(); ++j) {
    auto col = scores.col(j);
    col.array() = (col.array() - col.maxCoeff()).exp();
    col /= col.sum();
  }
}

Matrix<float> Classifier::decision(const Matrix<float>& features, int threads) const {
  validate();
  if (features.rows() != this->features()) {
    throw std::invalid_argument("classifier: features have " + std::to_string(features.rows()) +
                                " columns per sample, the model expects " + std::to_string(this->features()));
  }
  if (!features.allFinite()) throw std::invalid_argument("classifier: features contain NaN or infinite values");
  Matrix<float> z = features;
  standardizer.apply(z, threads);
  return decision_standardized(z, threads);
}

Matrix<float> Classifier::decision_standardized(Eigen::Ref<const Matrix<float>> standardized, int threads) const {
  Matrix<float> total = Matrix<float>::Zero(classes(), standardized.cols());
  for (const LinearMember& m : members) {
    Matrix<float> s = linear_scores(m.weights, m.bias, standardized, threads);
    if (loss == Loss::softmax) softmax_columns(s);
    total += s;
  }
  return total / static_cast<float>(members.size());
}

std::vector<int> argmax_columns(const Matrix<float>& scores) {
  std::vector<int> labels(static_cast<std::size_t>(scores.cols()));
  for (Index j = 0; j < scores.cols(); ++j) {
    Index best = 0;
    scores.col(j).maxCoeff(&best);
    labels[static_cast<std::size_t>(j)] = static_cast<int>(best);
  }
  return labels;
}

std::vector<int> Classifier::predict(const Matrix<float>& features, int threads) const {
  return argmax_columns(decision(features, threads));
}

}  // namespace sparsecode::classify
