// Batch dictionary learning by alternating optimization: exact codes for all samples, then the exact dictionary QP.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>

#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/solvers/dictionary_lagrange_dual.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/learner_common.hpp"

namespace sparsecode::sparse {

/// Which QP solver the batch learner uses for the dictionary step.
enum class DictionaryMethod {
  lagrange_dual,  ///< Newton on the Lagrange dual (Lee et al. 2006); unit-ball constraint only
  bcd,            ///< block coordinate descent (also for non-negative dictionaries)
};

/// Options of BatchLearner. Defaults: 256 atoms, λ = 0.1, LARS codes, Lagrange-dual QP solved to
/// a KKT residual of 1e-8, at most 50 iterations, stop when the objective decreases by less
/// than 1e-6 relative.
struct BatchLearnerOptions {
  Index atoms = 256;                 ///< k ≥ 1
  /// Solver, penalty (λ, λ₂, code sign), tolerance, threads. The solver defaults to Gram-form
  /// LARS-Lasso (exact at λ): in the learner it measured faster than coordinate descent to a
  /// relative duality gap of 1e-6 (bench/learn_bench, 20,480 whitened 12×12 patches, k = 256,
  /// one thread: 0.35–0.48 vs 0.61–0.77 CPU s) at the same held-out objective.
  EncodeOptions coding = default_coding();
  DictionarySign dictionary_sign = DictionarySign::any;
  DictionaryMethod method = DictionaryMethod::lagrange_dual;
  double qp_tolerance = 1e-8;        ///< Lagrange dual: KKT residual; BCD: relative change per sweep
  int qp_max_iterations = 1000;      ///< Newton steps or BCD sweeps per dictionary update
  DictionaryInit init = DictionaryInit::data_patches;
  std::uint64_t seed = 0;
  /// Replace atoms that no code uses by random training samples (their count is reported).
  enum class Replacement { unused_atoms, never } replacement = Replacement::unused_atoms;
  /// Stop criteria; `epochs` and `iterations` both count passes over the data here.
  StopCriteria stop{0, 50, 0, 0, 0, 1e-4};
  double relative_decrease = 1e-6;   ///< converged when (f_{t−1} − f_t) ≤ this · f_t  (≥ 0)
  std::filesystem::path checkpoint;  ///< written every `checkpoint_every` iterations and at the end
  long long checkpoint_every = 1;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

using BatchSummary = LearnerSummary;  ///< what BatchLearner::fit() reports

/// Alternating minimization of F(D, A) = (1/N) Σ_i ½‖x_i − D a_i‖² + λ‖a_i‖₁ over codes and
/// D (d×k, ‖d_j‖ ≤ 1): code every sample on D (sparse::encode, exact to its tolerance), then
/// solve min_D ½tr(DᵀDA) − tr(DᵀB) with A = (1/N) Σ a aᵀ, B = (1/N) Σ x aᵀ, which is
/// F(·, A) up to a constant. Both steps are exact minimizations (the BCD QP is warm-started at
/// the current D), so F never increases. Deterministic for a seed and thread count independent.
class BatchLearner {
 public:
  explicit BatchLearner(BatchLearnerOptions options);

  void initialize(const Matrix<double>& data);              ///< by options.init
  void initialize_with(const Matrix<double>& dictionary);    ///< options.init == given

  /// One alternating iteration on `data` (d×N); initializes from it if needed.
  LearnerProgress partial_fit(const Matrix<double>& data);

  /// Iterates until the stop criteria or convergence; `heldout` (may be empty) is evaluated
  /// after every iteration; checkpoints as options say.
  BatchSummary fit(const Matrix<double>& data, const Matrix<double>& heldout,
                   const ProgressCallback& callback = {});

  double evaluate(const Matrix<double>& data) const;

  void save_checkpoint(const std::filesystem::path& path) const;
  /// Restores D and the counters; throws CheckpointError if the run's settings differ.
  void load_checkpoint(const std::filesystem::path& path, Index training_samples);

  bool initialized() const { return dictionary_.size() > 0; }
  const Matrix<double>& dictionary() const { return dictionary_; }
  const LearnerProgress& progress() const { return progress_; }

 private:
  LearnerProgress step(const Matrix<double>& data);

  BatchLearnerOptions options_;
  Matrix<double> dictionary_;
  std::mt19937_64 rng_;
  LearnerProgress progress_;
  HeldoutTracker heldout_;
  double previous_objective_ = std::numeric_limits<double>::quiet_NaN();
  Index training_samples_ = 0;
  solvers::DictionaryUpdateSummary last_update_;
};

}  // namespace sparsecode::sparse
