// Validation of the batch learner's options and their share of the learner loop.
#include "sparsecode/sparse/batch_options.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::sparse {

void BatchLearnerOptions::validate() const {
  loop_settings().validate("BatchLearnerOptions");
  if (method == DictionaryMethod::lagrange_dual && dictionary_sign == DictionarySign::nonnegative) {
    throw std::invalid_argument("BatchLearnerOptions.method: the Lagrange dual handles only the unit-ball "
                                "constraint; use bcd for a non-negative dictionary");
  }
  if (!(qp_tolerance > 0.0) || !std::isfinite(qp_tolerance)) {
    throw std::invalid_argument("BatchLearnerOptions.qp_tolerance must be finite and > 0, got " +
                                std::to_string(qp_tolerance));
  }
  if (qp_max_iterations < 1) {
    throw std::invalid_argument("BatchLearnerOptions.qp_max_iterations must be >= 1, got " +
                                std::to_string(qp_max_iterations));
  }
  if (!(relative_decrease >= 0.0) || !std::isfinite(relative_decrease)) {
    throw std::invalid_argument("BatchLearnerOptions.relative_decrease must be finite and >= 0, got " +
                                std::to_string(relative_decrease));
  }
}

// Every iteration is a pass over the data, so evaluate_every 0 (at epoch ends) evaluates the
// held-out set after every iteration.
LoopSettings BatchLearnerOptions::loop_settings() const {
  return {atoms, init, dictionary_sign, seed, coding, stop, 0, checkpoint, checkpoint_every, nullptr};
}

}  // namespace sparsecode::sparse
