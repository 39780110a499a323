// Validation of the online learner's options.
#include "sparsecode/sparse/online_options.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::sparse {

void OnlineLearnerOptions::validate() const {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  if (batch_size < 1) {
    throw std::invalid_argument("batch size must be >= 1, got " + std::to_string(batch_size));
  }
  coding.validate();
  if (!(rho >= 0.0) || !std::isfinite(rho)) {
    throw std::invalid_argument("OnlineLearnerOptions.rho must be finite and >= 0, got " + std::to_string(rho));
  }
  dictionary.validate();
  if (replace_window < -1) {
    throw std::invalid_argument("OnlineLearnerOptions.replace_window must be >= -1, got " +
                                std::to_string(replace_window));
  }
  stop.validate();
  if (evaluate_every < 0) {
    throw std::invalid_argument("OnlineLearnerOptions.evaluate_every must be >= 0, got " +
                                std::to_string(evaluate_every));
  }
  if (checkpoint_every < 1) {
    throw std::invalid_argument("OnlineLearnerOptions.checkpoint_every must be >= 1, got " +
                                std::to_string(checkpoint_every));
  }
}

}  // namespace sparsecode::sparse
