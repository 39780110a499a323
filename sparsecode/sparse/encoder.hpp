// The batch encoding driver's options, summary and one-call convenience encode() (see SparseCoder).
#pragma once

#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"
#include "sparsecode/solvers/solver_options.hpp"

namespace sparsecode::sparse {

/// Options of SparseCoder and encode(). Defaults are what `sparsecode encode` uses.
struct EncodeOptions {
  solvers::Penalty penalty;  ///< λ, λ₂, sign (OMP ignores it but reports the objective with it)
  /// The solver and every one of its settings (tolerance, iteration cap, arithmetic, screening,
  /// polishing, OMP target, ...). Default: LARS, exact, and the fastest exact LASSO solver on
  /// the benchmark's patches (figures: bench/RESULTS-encode.md and the README).
  solvers::SolverOptions solver = solvers::LarsOptions{};
  /// OpenMP threads (0: all cores). Capped by the work: at most one thread, and one solver
  /// clone with its buffers, per chunk, i.e. min(threads, ⌈N / chunk_size⌉)
  /// (EncodeSummary::threads says how many ran).
  int threads = 0;
  /// Samples per solve_block call inside the parallel loop (the unit of dynamic scheduling).
  /// Fixed, independent of `threads`, so that results are identical for any thread count.
  Index chunk_size = 64;
  /// warm: use the given codes as starting points (A must be k×N on entry). Only for solvers
  /// that use them (CD, FISTA/ISTA, feature-sign); LARS and OMP always start from zero, and
  /// validate() rejects a warm start for them.
  enum class Start { cold, warm } start = Start::cold;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Per-sample status, kept for every column.
struct SampleStatus {
  solvers::SampleTermination termination = solvers::SampleTermination::converged;
  int iterations = 0;
  double relative_gap = 0.0;  ///< duality gap / objective (0 for OMP, which has no gap)
};

/// Outcome of SparseCoder::encode() and encode().
struct EncodeSummary {
  std::string solver;  ///< the solver's name: lars, cd, fista, ista, fss or omp
  Index samples = 0;
  int threads = 0;     ///< threads that ran (the EncodeOptions::threads cap applied), one solver clone each
  /// Mean of ½‖x − Da‖² + λ‖a‖₁ (+ ½λ₂‖a‖²). For OMP too, with the given penalty's λ and λ₂
  /// (OMP does not minimise it; the value makes its codes comparable with the LASSO's).
  double mean_objective = 0.0;
  double mean_nonzeros = 0.0;
  double mean_relative_residual = 0.0; ///< mean of ‖x − Da‖ / ‖x‖ (samples with x ≠ 0)
  double max_duality_gap = 0.0;        ///< largest absolute gap (0 for OMP, which has none)
  double max_relative_gap = 0.0;
  Index not_converged = 0;             ///< samples stopped by max_iterations or numerical issues
  double seconds = 0.0;
  std::vector<SampleStatus> status;    ///< one per sample

  /// Two lines (Ceres style): samples, solver, mean objective, non-zeros and relative residual;
  /// the largest duality gap, samples not converged, threads, seconds and patches/s. No final newline.
  std::string brief_report() const;
};

/// Codes A (k×N) for signals X (d×N) on dictionary D (d×k) in one call:
/// SparseCoder<T>(options).compute(D).encode(X, A), A resized to k×N for a cold start.
/// `seconds` in the summary includes G = DᵀD and the solvers' set-up. Results do not depend on
/// `threads`. Throws std::invalid_argument for shape mismatches, non-finite values or samples
/// whose squared norm overflows, atoms with norm > 1 + 1e-6, invalid options, or λ = λ₂ = 0 with
/// more atoms than dimensions for a LASSO solver (least squares is not unique there; OMP is fine).
template <class T>
EncodeSummary encode(const Matrix<T>& dictionary, const Matrix<T>& signals, Matrix<T>& codes,
                     const EncodeOptions& options);

/// Scales every atom with norm > 1 to unit norm (for `--normalize-dict`).
template <class T>
void normalize_atoms(Matrix<T>& dictionary);

}  // namespace sparsecode::sparse
