// The batch learner: its options checked and split between the batch step and the learner loop.
#include "sparsecode/sparse/batch_learner.hpp"

namespace sparsecode::sparse {

namespace {

BatchLearnerOptions checked(BatchLearnerOptions options) {
  options.validate();
  return options;
}

// Every iteration is a pass over the data, so evaluate_every 0 (at epoch ends) evaluates the
// held-out set after every iteration.
LoopSettings loop_settings(const BatchLearnerOptions& o) {
  return {o.atoms, o.init, o.dictionary_sign, o.seed, o.coding, o.stop, 0, o.checkpoint, o.checkpoint_every};
}

}  // namespace

BatchLearner::BatchLearner(BatchLearnerOptions options)
    : step_(checked(std::move(options))), loop_(loop_settings(step_.options())) {}

}  // namespace sparsecode::sparse
