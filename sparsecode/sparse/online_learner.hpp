// Online dictionary learning with mini-batches (Mairal, Bach, Ponce & Sapiro, JMLR 2010).
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/sparse/learner_common.hpp"

namespace sparsecode::sparse {

/// How past statistics are down-weighted at iteration t with mini-batches of η samples.
enum class PastWeighting {
  /// Mairal et al. 2010 §3.4.3 (mini-batch extension): β_t = (θ + 1 − η)/(θ + 1) with
  /// θ = tη for t < η and θ = η² + t − η otherwise (as scikit-learn).
  minibatch,
  /// Mairal et al. 2010 §3.4.2: β_t = (1 − 1/t)^ρ (default, with ρ = 4).
  power,
};

/// Options of OnlineLearner. Defaults: 256 atoms, λ = 0.1 (coding.penalty), mini-batches of
/// 256, one epoch, LARS codes, one BCD sweep per mini-batch warm-started from D.
struct OnlineLearnerOptions {
  Index atoms = 256;                   ///< k ≥ 1
  /// Solver, penalty (λ, λ₂, code sign), tolerance, threads. The solver defaults to Gram-form
  /// LARS-Lasso (exact at λ): in the learner it measured faster than coordinate descent to a
  /// relative duality gap of 1e-6 (bench/learn_bench, 20,480 whitened 12×12 patches, k = 256,
  /// one thread: 0.35–0.48 vs 0.61–0.77 CPU s) at the same held-out objective.
  EncodeOptions coding = default_coding();
  DictionarySign dictionary_sign = DictionarySign::any;
  Index batch_size = 256;              ///< η ≥ 1
  /// Forgetting the statistics of early, poor dictionaries faster (ρ = 4) gave a lower held-out
  /// objective than the mini-batch rule from about 20,000 samples on, on whitened 12×12 patches
  /// (k = 256; λ = 0.6, η = 256 and λ = 0.3, η = 64; two seeds; bench/learn_bench).
  PastWeighting weighting = PastWeighting::power;
  double rho = 4.0;                    ///< ρ ≥ 0 for PastWeighting::power
  /// Dictionary step: BCD sweeps per mini-batch (Mairal uses one; D is warm-started) and the
  /// relative-change tolerance that may end them sooner.
  solvers::DictionaryBcdOptions dictionary{1e-3, 1, solvers::DictionaryConstraint::unit_ball,
                                           solvers::DictionaryBcdOptions::Residual::skip};
  DictionaryInit init = DictionaryInit::data_patches;
  std::uint64_t seed = 0;
  /// An atom that no training code used during `replace_window` consecutive samples is replaced
  /// by a random sample of the current mini-batch (0: window of 10·k samples; −1: never).
  long long replace_window = 0;
  StopCriteria stop;
  /// Held-out evaluation every this many iterations (0: at the end of every epoch).
  long long evaluate_every = 0;
  /// Checkpoint file (empty: none), written every `checkpoint_every` iterations and at the end.
  std::filesystem::path checkpoint;
  long long checkpoint_every = 100;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

/// Outcome of fit().
using OnlineSummary = LearnerSummary;  ///< what OnlineLearner::fit() reports

/// Learns D (d×k, ‖d_j‖ ≤ 1) minimizing the mean of ½‖x − Da‖² + λ‖a‖₁ over samples x by
/// Algorithm 1 of Mairal et al. 2010 with mini-batches: for every mini-batch X_t (d×η), code it
/// on D_{t−1} (sparse::encode, OpenMP over samples, cold start: codes are not kept between
/// visits), update the sufficient statistics
///   A_t = β_t A_{t−1} + (1/η) Σ a aᵀ (k×k),   B_t = β_t B_{t−1} + (1/η) Σ x aᵀ (d×k),
/// and minimize the surrogate ½tr(DᵀDA_t) − tr(DᵀB_t) by block coordinate descent warm-started
/// at D_{t−1}. Deterministic for a seed, and independent of the thread count.
class OnlineLearner {
 public:
  explicit OnlineLearner(OnlineLearnerOptions options);

  /// Sets the initial dictionary by options.init from `data` (d×N), or uses `dictionary` (d×k
  /// with atoms of norm ≤ 1 + 1e-6; options.init must be `given`). Clears the statistics.
  void initialize(const Matrix<double>& data);
  void initialize_with(const Matrix<double>& dictionary);

  /// One iteration on a mini-batch (d×η', any η' ≥ 1); initializes from the batch itself if
  /// no dictionary is set yet. Returns the progress (no held-out evaluation).
  LearnerProgress partial_fit(const Matrix<double>& batch);

  /// Runs epochs over `data` (d×N, visited in a seeded random order per epoch) until the stop
  /// criteria, continuing from the current state (fresh, partial_fit'ed or resumed). `heldout`
  /// (d×M, may be empty) is evaluated every options.evaluate_every iterations. Checkpoints are
  /// written as options say. The callback (may be empty) is called after every iteration.
  OnlineSummary fit(const Matrix<double>& data, const Matrix<double>& heldout,
                    const ProgressCallback& callback = {});

  /// Mean objective of `data` coded on the current dictionary (coding options as for training).
  double evaluate(const Matrix<double>& data) const;

  /// Restores the state saved by a checkpoint (options must match the saved run: atoms, d,
  /// batch size, λ, λ₂, signs, seed and training-set size; throws CheckpointError otherwise).
  void load_checkpoint(const std::filesystem::path& path, Index training_samples);
  void save_checkpoint(const std::filesystem::path& path) const;

  bool initialized() const { return dictionary_.size() > 0; }
  const Matrix<double>& dictionary() const { return dictionary_; }  ///< d×k
  const Matrix<double>& statistics_a() const { return a_; }        ///< k×k
  const Matrix<double>& statistics_b() const { return b_; }        ///< d×k
  const LearnerProgress& progress() const { return progress_; }
  const OnlineLearnerOptions& options() const { return options_; }

 private:
  LearnerProgress step(const Matrix<double>& batch);
  void replace_unused_atoms(const Matrix<double>& batch);
  void start_epoch(Index n);
  RunIdentity identity(Index training_samples) const;

  OnlineLearnerOptions options_;
  Matrix<double> dictionary_;
  Matrix<double> a_;
  Matrix<double> b_;
  std::mt19937_64 rng_;
  LearnerProgress progress_;
  std::vector<Index> order_;           ///< this epoch's visiting order of the training samples
  Index position_ = 0;                 ///< next index into order_
  Vector<double> usage_;               ///< per atom: codes using it in the current replacement window
  long long window_samples_ = 0;       ///< samples seen in the current replacement window
  HeldoutTracker heldout_;
  solvers::DictionaryUpdateSummary last_update_;
  Matrix<double> codes_;               ///< workspace: the current mini-batch's codes (k×η)
};

}  // namespace sparsecode::sparse
