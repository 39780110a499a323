// Validation of the online learner's options and their share of the learner loop.
#include "sparsecode/sparse/online_options.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::sparse {

void OnlineLearnerOptions::validate() const {
  loop_settings().validate("OnlineLearnerOptions");
  if (batch_size < 1) {
    throw std::invalid_argument("batch size must be >= 1, got " + std::to_string(batch_size));
  }
  if (!(rho >= 0.0) || !std::isfinite(rho)) {
    throw std::invalid_argument("OnlineLearnerOptions.rho must be finite and >= 0, got " + std::to_string(rho));
  }
  dictionary.validate();
  if (coding.start != EncodeOptions::Start::cold) {
    // Every mini-batch holds other samples: there are no earlier codes of them to start from.
    throw std::invalid_argument("OnlineLearnerOptions.coding.start must be Start::cold (each mini-batch holds new "
                                "samples, with no codes to warm-start from)");
  }
  if (replace_window < -1) {
    throw std::invalid_argument("OnlineLearnerOptions.replace_window must be >= -1, got " +
                                std::to_string(replace_window));
  }
}

LoopSettings OnlineLearnerOptions::loop_settings() const {
  return {atoms, init, dictionary_sign, seed, coding, stop, evaluate_every, checkpoint, checkpoint_every, parallel};
}

}  // namespace sparsecode::sparse
