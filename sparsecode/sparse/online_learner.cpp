// The online learner: its options checked and split between the online step and the learner loop.
#include "sparsecode/sparse/online_learner.hpp"

namespace sparsecode::sparse {

namespace {

OnlineLearnerOptions checked(OnlineLearnerOptions options) {
  options.validate();
  options.dictionary.constraint = to_constraint(options.dictionary_sign);
  return options;
}

}  // namespace

OnlineLearner::OnlineLearner(OnlineLearnerOptions options)
    : step_(checked(std::move(options))), loop_(step_.options().loop_settings()) {}

}  // namespace sparsecode::sparse
