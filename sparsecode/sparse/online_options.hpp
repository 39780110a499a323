// Options of the online dictionary learner (Mairal et al. 2010) and its past-weighting rules.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "sparsecode/core/types.hpp"
#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/data_parallel.hpp"
#include "sparsecode/sparse/learner_loop.hpp"
#include "sparsecode/sparse/learner_setup.hpp"
#include "sparsecode/sparse/stop_criteria.hpp"

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
  /// LARS-Lasso (exact at λ), the fastest solver inside the learner at the same held-out
  /// objective (figures: bench/learn_bench and the README's learning benchmark).
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
  /// Arithmetic of the coding and the dictionary update. float32: each mini-batch and D_{t−1}
  /// are rounded to float and coded by SparseCoder<float>; the codes are widened to double and
  /// summed into A and B in double (sums over many mini-batches keep their precision); the BCD
  /// sweep runs in float on A, B and D rounded to float, and D is its result in double,
  /// projected onto the constraint again. Replacement and held-out evaluation stay double.
  /// Training samples must then have squared norms within float's range. Faster learning at a
  /// held-out objective the README's learning benchmark compares with float64's.
  enum class Precision { float64, float32 } precision = Precision::float64;
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
  /// Data-parallel learning (see DataParallel): fit()'s data is then this process's shard, and
  /// mini-batches, statistics, held-out evaluation and initialisation span every process's
  /// shard. Null (default): this process holds the whole training set.
  std::shared_ptr<const DataParallel> parallel;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
  LoopSettings loop_settings() const;  ///< the share of LearnerLoop (which runs the learner)
};

}  // namespace sparsecode::sparse
