// Softmax cross-entropy and squared hinge of one sample, with their derivatives with respect to the scores.
#include "sparsecode/classify/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sparsecode::classify {

std::string to_string(Loss loss) {
  return loss == Loss::softmax ? "softmax" : "squared-hinge";
}

Loss parse_loss(const std::string& text) {
  if (text == "softmax") return Loss::softmax;
  if (text == "squared-hinge") return Loss::squared_hinge;
  throw std::invalid_argument("loss: expected 'softmax' or 'squared-hinge', got '" + text + "'");
}

double sample_loss(Loss loss, const double* scores, int classes, int label, double* derivative) {
  if (loss == Loss::softmax) {
    const double top = *std::max_element(scores, scores + classes);
    double total = 0.0;
    for (int c = 0; c < classes; ++c) {
      derivative[c] = std::exp(scores[c] - top);
      total += derivative[c];
    }
    for (int c = 0; c < classes; ++c) {
      derivative[c] /= total;
    }
    derivative[label] -= 1.0;
    return top + std::log(total) - scores[label];
  }
  double value = 0.0;
  for (int c = 0; c < classes; ++c) {
    const double t = c == label ? 1.0 : -1.0;
    const double margin = std::max(0.0, 1.0 - t * scores[c]);
    value += margin * margin;
    derivative[c] = -2.0 * t * margin;
  }
  return value;
}

}  // namespace sparsecode::classify
