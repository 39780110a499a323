// A training set read on demand (e.g. from a file too large for memory): samples gathered by index.
#pragma once

#include "sparsecode/core/types.hpp"

namespace sparsecode::sparse {

/// The samples of a training set that the learner does not hold: OnlineLearner::fit() on a
/// source gathers each mini-batch through it, and nothing else, so memory does not grow with N.
class TrainingSource {
 public:
  virtual ~TrainingSource() = default;
  virtual Index dimension() const = 0;  ///< d
  virtual Index samples() const = 0;    ///< N
  /// Samples indices[0..count) (each in [0, N)), in that order, into `out` (resized to d×count).
  virtual void gather(const Index* indices, Index count, Matrix<double>& out) const = 0;

 protected:
  TrainingSource() = default;
  TrainingSource(const TrainingSource&) = default;
  TrainingSource& operator=(const TrainingSource&) = default;
};

}  // namespace sparsecode::sparse
