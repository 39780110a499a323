// The batch learner: its options checked and split between the batch step and the learner loop.
#include "sparsecode/sparse/batch_learner.hpp"

namespace sparsecode::sparse {

namespace {

BatchLearnerOptions checked(BatchLearnerOptions options) {
  options.validate();
  return options;
}

}  // namespace

BatchLearner::BatchLearner(BatchLearnerOptions options)
    : step_(checked(std::move(options))), loop_(step_.options().loop_settings()) {}

}  // namespace sparsecode::sparse
