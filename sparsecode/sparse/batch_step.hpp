// The batch learner's step: code every sample, form A and B, solve the dictionary QP exactly, replace unused atoms.
#pragma once

#include <limits>

#include "sparsecode/sparse/batch_options.hpp"
#include "sparsecode/sparse/code_statistics.hpp"
#include "sparsecode/sparse/learner_step.hpp"

namespace sparsecode::sparse {

/// One alternating iteration on all N samples: codes on D (sparse::encode, exact to its
/// tolerance), A = (1/N) Σ a aᵀ and B = (1/N) Σ x aᵀ (CodeStatistics), D ← argmin ½tr(DᵀDA) −
/// tr(DᵀB) by the Lagrange dual or BCD, then atoms no code used replaced by random samples.
/// In fit(), converged when the mean objective decreased by at most relative_decrease·|f|.
class BatchStep final : public LearnerStep {
 public:
  explicit BatchStep(const BatchLearnerOptions& options) : options_(options) {}  ///< `options` validated

  std::string kind() const override { return "batch"; }
  void reset(Index /*dimension*/) override {}
  void begin(Index /*training_samples*/, LearnerState& /*state*/) override {}
  StepOutcome step(const Matrix<double>& data, LearnerState& state) override;
  StepOutcome step_on(const Matrix<double>& samples, LearnerState& state) override;
  void save(io::Checkpoint& checkpoint) const override;
  void restore(const io::Checkpoint& checkpoint, const std::filesystem::path& path, Index dimension) override;

  const BatchLearnerOptions& options() const { return options_; }

 private:
  BatchLearnerOptions options_;
  double previous_objective_ = std::numeric_limits<double>::quiet_NaN();
  CodeStatistics statistics_;
  Matrix<double> codes_;  ///< workspace: all samples' codes (k×N)
};

}  // namespace sparsecode::sparse
