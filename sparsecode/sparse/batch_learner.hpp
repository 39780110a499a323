// Batch dictionary learning by alternating optimization: exact codes for all samples, then the exact dictionary QP.
#pragma once

#include <filesystem>

#include "sparsecode/sparse/batch_options.hpp"
#include "sparsecode/sparse/batch_step.hpp"
#include "sparsecode/sparse/learner_loop.hpp"

namespace sparsecode::sparse {

using BatchSummary = LearnerSummary;  ///< what BatchLearner::fit() reports

/// Alternating minimization of F(D, A) = (1/N) Σ_i ½‖x_i − D a_i‖² + λ‖a_i‖₁ over codes and
/// D (d×k, ‖d_j‖ ≤ 1): code every sample on D (sparse::encode, exact to its tolerance), then
/// solve min_D ½tr(DᵀDA) − tr(DᵀB) with A = (1/N) Σ a aᵀ, B = (1/N) Σ x aᵀ, which is
/// F(·, A) up to a constant (BatchStep, run by LearnerLoop). Both steps are exact minimizations
/// (the BCD QP is warm-started at the current D), so F never increases. Deterministic for a
/// seed and thread count independent.
class BatchLearner {
 public:
  explicit BatchLearner(BatchLearnerOptions options);

  void initialize(const Matrix<double>& data) { loop_.initialize(step_, data); }  ///< by options.init
  void initialize_with(const Matrix<double>& dictionary) {                         ///< options.init == given
    loop_.initialize_with(step_, dictionary);
  }

  /// One alternating iteration on `data` (d×N); initializes from it if needed.
  LearnerProgress partial_fit(const Matrix<double>& data) { return loop_.partial_fit(step_, data); }

  /// Iterates until the stop criteria, convergence or a callback returning
  /// CallbackResult::stop; `heldout` (may be empty) is evaluated after every iteration;
  /// checkpoints as options say.
  BatchSummary fit(const Matrix<double>& data, const Matrix<double>& heldout, const ProgressCallback& callback = {}) {
    return loop_.fit(step_, data, heldout, callback);
  }

  double evaluate(const Matrix<double>& data) const { return loop_.evaluate(data); }

  void save_checkpoint(const std::filesystem::path& path) const { loop_.save_checkpoint(step_, path); }
  /// Restores D and the counters; throws CheckpointError if the run's settings differ.
  void load_checkpoint(const std::filesystem::path& path, Index training_samples) {
    loop_.load_checkpoint(step_, path, training_samples);
  }

  bool initialized() const { return dictionary().size() > 0; }
  const Matrix<double>& dictionary() const { return loop_.state().dictionary; }
  const LearnerProgress& progress() const { return loop_.state().progress; }
  /// Every progress row of fit(), those of a resumed checkpoint's run included (for a log).
  const std::vector<LearnerProgress>& history() const { return loop_.history(); }
  const BatchLearnerOptions& options() const { return step_.options(); }

 private:
  BatchStep step_;
  LearnerLoop loop_;
};

}  // namespace sparsecode::sparse
