// The batch encoding driver: sparse codes for many signals, OpenMP over patches, with certificates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"
#include "sparsecode/solvers/face_polish.hpp"
#include "sparsecode/solvers/gap_safe_screening.hpp"

namespace sparsecode::sparse {

enum class SolverKind { lars, cd, fista, ista, fss, omp };

/// Parses "lars", "cd", "fista", "ista", "fss", "omp"; throws std::invalid_argument otherwise.
SolverKind parse_solver_kind(const std::string& name);
std::string to_string(SolverKind kind);

/// Options of encode(). Defaults are what `sparsecode encode` uses.
struct EncodeOptions {
  /// Default: LARS, the fastest exact LASSO solver in bench/RESULTS-encode.md (feature-sign takes
  /// ~2.2× its time there, CD at tolerance 1e-6 ~2.8×, FISTA at 1e-6 with polishing ~2.9×).
  SolverKind solver = SolverKind::lars;
  solvers::Penalty penalty;               ///< λ, λ₂, sign (ignored by OMP)
  int omp_atoms = 0;                      ///< OMP sparsity target L (0: no limit other than min(d, k))
  double omp_tolerance = 0.0;             ///< OMP: stop when ‖x − Da‖² ≤ this (0: off)
  double tolerance = 1e-6;                ///< relative duality gap for iterative solvers (> 0)
  int max_iterations = 0;                 ///< per-sample iteration cap (0: the solver's default)
  /// Safe screening of atoms (FISTA/ISTA; exact: it only drops atoms proven zero at the optimum).
  /// Off by default: slower on the benchmark's patches (bench/RESULTS-encode.md).
  solvers::ScreeningRule screening = solvers::ScreeningRule::none;
  /// FISTA/ISTA: try the exact minimiser on a stable sign pattern, kept only if its gap certifies it.
  solvers::FacePolishing polishing = solvers::FacePolishing::stable_signs;
  /// LARS, FISTA and ISTA in double: their bulk work in float, checked in double (mixed), or
  /// double throughout (full). See solvers::Arithmetic.
  solvers::Arithmetic arithmetic = solvers::Arithmetic::mixed;
  int threads = 0;                        ///< OpenMP threads (0: all cores)
  Index block_size = 8192;                ///< samples per block: bounds memory of DᵀX
  /// Samples per solve_block call inside the parallel loop (the unit of dynamic scheduling).
  /// Fixed, independent of `threads`, so that results are identical for any thread count.
  Index chunk_size = 64;
  /// Use the given codes as warm starts (A must be k×N on entry).
  enum class Start { cold, warm } start = Start::cold;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// Per-sample status, kept for every column.
struct SampleStatus {
  solvers::SampleTermination termination = solvers::SampleTermination::converged;
  int iterations = 0;
  double relative_gap = 0.0;  ///< duality gap / objective (0 for OMP, which has no gap)
};

/// Outcome of encode().
struct EncodeSummary {
  Index samples = 0;
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
};

/// Codes A (k×N) for signals X (d×N) on dictionary D (d×k). Computes G = DᵀD once, then per
/// block one OpenMP loop over fixed-size chunks of samples (dynamic schedule, per-thread solver
/// clones, OpenBLAS single-threaded throughout): each chunk computes its DᵀX by one GEMM and
/// solves it. Results do not depend on `threads`.
/// Throws std::invalid_argument for shape mismatches, non-finite values, atoms with norm
/// > 1 + 1e-6, or invalid options.
template <class T>
EncodeSummary encode(const Matrix<T>& dictionary, const Matrix<T>& signals, Matrix<T>& codes,
                     const EncodeOptions& options);

/// Scales every atom with norm > 1 to unit norm (for `--normalize-dict`).
template <class T>
void normalize_atoms(Matrix<T>& dictionary);

}  // namespace sparsecode::sparse
