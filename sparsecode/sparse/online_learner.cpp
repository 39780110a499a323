// The online learner: its options checked and split between the online step and the learner loop.
#include "sparsecode/sparse/online_learner.hpp"

namespace sparsecode::sparse {

namespace {

OnlineLearnerOptions checked(OnlineLearnerOptions options) {
  options.validate();
  options.dictionary.constraint = to_constraint(options.dictionary_sign);
  return options;
}

LoopSettings loop_settings(const OnlineLearnerOptions& o) {
  return {o.atoms, o.init, o.dictionary_sign, o.seed, o.coding, o.stop, o.evaluate_every, o.checkpoint,
          o.checkpoint_every};
}

}  // namespace

OnlineLearner::OnlineLearner(OnlineLearnerOptions options)
    : step_(checked(std::move(options))), loop_(loop_settings(step_.options())) {}

}  // namespace sparsecode::sparse
