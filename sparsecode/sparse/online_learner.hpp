// Online dictionary learning with mini-batches (Mairal, Bach, Ponce & Sapiro, JMLR 2010).
#pragma once

#include <filesystem>

#include "sparsecode/sparse/learner_loop.hpp"
#include "sparsecode/sparse/online_options.hpp"
#include "sparsecode/sparse/online_step.hpp"

namespace sparsecode::sparse {

using OnlineSummary = LearnerSummary;  ///< what OnlineLearner::fit() reports

/// Learns D (d×k, ‖d_j‖ ≤ 1) minimizing the mean of ½‖x − Da‖² + λ‖a‖₁ over samples x by
/// Algorithm 1 of Mairal et al. 2010 with mini-batches: for every mini-batch X_t (d×η), code it
/// on D_{t−1} (sparse::encode, OpenMP over samples, cold start: codes are not kept between
/// visits), update the sufficient statistics
///   A_t = β_t A_{t−1} + (1/η) Σ a aᵀ (k×k),   B_t = β_t B_{t−1} + (1/η) Σ x aᵀ (d×k),
/// and minimize the surrogate ½tr(DᵀDA_t) − tr(DᵀB_t) by block coordinate descent warm-started
/// at D_{t−1} (OnlineStep, run by LearnerLoop). Deterministic for a seed, and independent of
/// the thread count.
class OnlineLearner {
 public:
  explicit OnlineLearner(OnlineLearnerOptions options);

  /// Sets the initial dictionary by options.init from `data` (d×N), or uses `dictionary` (d×k
  /// with atoms of norm ≤ 1 + 1e-6; options.init must be `given`). Clears the statistics.
  void initialize(const Matrix<double>& data) { loop_.initialize(step_, data); }
  void initialize_with(const Matrix<double>& dictionary) { loop_.initialize_with(step_, dictionary); }

  /// One iteration on a mini-batch (d×η', any η' ≥ 1); initializes from the batch itself if
  /// no dictionary is set yet. Returns the progress (no held-out evaluation).
  LearnerProgress partial_fit(const Matrix<double>& batch) { return loop_.partial_fit(step_, batch); }

  /// Runs epochs over `data` (d×N, visited in a seeded random order per epoch) until the stop
  /// criteria or a callback returning CallbackResult::stop, continuing from the current state
  /// (fresh, partial_fit'ed or resumed). `heldout` (d×M, may be empty) is evaluated every
  /// options.evaluate_every iterations. Checkpoints are written as options say. The callback
  /// (may be empty) is called after every iteration.
  OnlineSummary fit(const Matrix<double>& data, const Matrix<double>& heldout,
                    const ProgressCallback& callback = {}) {
    return loop_.fit(step_, data, heldout, callback);
  }

  /// The same on a training set read on demand: each mini-batch is gathered from `source` (the
  /// same samples in the same order as fit(data) on the matrix of all of them, so the same
  /// result); options.parallel must be null.
  OnlineSummary fit(const TrainingSource& source, const Matrix<double>& heldout,
                    const ProgressCallback& callback = {}) {
    return loop_.fit(step_, source, heldout, callback);
  }

  /// Mean objective of `data` coded on the current dictionary (coding options as for training).
  double evaluate(const Matrix<double>& data) const { return loop_.evaluate(data); }

  /// Restores the state saved by a checkpoint (options must match the saved run: atoms, d,
  /// batch size, λ, λ₂, signs, seed and training-set size; throws CheckpointError otherwise).
  void load_checkpoint(const std::filesystem::path& path, Index training_samples) {
    loop_.load_checkpoint(step_, path, training_samples);
  }
  void save_checkpoint(const std::filesystem::path& path) const { loop_.save_checkpoint(step_, path); }

  bool initialized() const { return dictionary().size() > 0; }
  const Matrix<double>& dictionary() const { return loop_.state().dictionary; }  ///< d×k
  const Matrix<double>& statistics_a() const { return step_.statistics().a(); }  ///< k×k
  const Matrix<double>& statistics_b() const { return step_.statistics().b(); }  ///< d×k
  const LearnerProgress& progress() const { return loop_.state().progress; }
  /// Every progress row of fit(), those of a resumed checkpoint's run included (for a log).
  const std::vector<LearnerProgress>& history() const { return loop_.history(); }
  const OnlineLearnerOptions& options() const { return step_.options(); }

 private:
  OnlineStep step_;
  LearnerLoop loop_;
};

}  // namespace sparsecode::sparse
