// Options of the batch dictionary learner (alternating optimization) and its dictionary-QP methods.
#pragma once

#include <cstdint>
#include <filesystem>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/learner_loop.hpp"
#include "sparsecode/sparse/learner_setup.hpp"
#include "sparsecode/sparse/stop_criteria.hpp"

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
  /// LARS-Lasso (exact at λ), the fastest solver inside the learner at the same held-out
  /// objective (figures: bench/learn_bench and the README's learning benchmark).
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
  LoopSettings loop_settings() const;  ///< the share of LearnerLoop (which runs the learner)
};

}  // namespace sparsecode::sparse
