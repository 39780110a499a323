// Spherical k-means (gain-shape vector quantization): a unit-norm dictionary learned with OMP-1 codes.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::features {

struct SphericalKMeansOptions {
  Index atoms = 256;       ///< K ≥ 1
  int iterations = 20;     ///< passes over the data (≥ 1)
  /// Stop early when the mean objective decreases by less than this fraction (0: never).
  double tolerance = 0.0;
  std::uint64_t seed = 0;  ///< initial atoms: K distinct non-zero samples drawn with this seed
  int threads = 0;         ///< OpenMP threads (0: all cores); results do not depend on it

  void validate() const;   ///< throws std::invalid_argument naming the field
};

struct SphericalKMeansSummary {
  using Termination = core::Termination;
  /// iterations (all passes done), converged (tolerance) or user_callback (the callback stopped).
  Termination termination = Termination::iterations;
  int iterations = 0;
  /// Mean of min_s ‖x − s d_j‖² = ‖x‖² − (d_jᵀx)² over samples at each assignment step (one
  /// per iteration, on the dictionary before that iteration's update): non-increasing.
  std::vector<double> objective;
  Index unused_atoms = 0;  ///< atoms no sample chose at the last assignment
};

/// Called after every pass with the passes done (from 1) and that pass's objective (the value
/// appended to SphericalKMeansSummary::objective), once the atoms are updated. Returning
/// core::CallbackResult::stop ends learning there (termination user_callback); the atoms returned
/// are those after that pass.
using SphericalKMeansCallback = std::function<core::CallbackResult(int iteration, double objective)>;

/// Learns D (d×K, unit-norm columns) minimizing Σᵢ ‖xᵢ − D sᵢ‖² with one non-zero per sᵢ (OMP-1
/// codes; Coates & Ng 2011, "The importance of encoding versus training with sparse coding and
/// vector quantization", §3.1): alternately sᵢ = (d_jᵀxᵢ) e_j for j = argmax |d_jᵀxᵢ|, then
/// D ← normalize(X Sᵀ + D). For the samples of atom j, X Sᵀ + D is (Cⱼ + I) dⱼ with Cⱼ their
/// scatter matrix: a power-iteration step, which never lowers dⱼᵀCⱼdⱼ, so the objective never
/// increases. An atom no sample chooses stays as it is. Data are d×N (one sample per column).
/// Assignments run in OpenMP chunks; the update is summed in sample order (thread-count
/// independent). Throws std::invalid_argument for empty or non-finite data, fewer non-zero
/// samples than K, or invalid options. The optional callback sees every pass and may stop early.
Matrix<double> spherical_kmeans(const Matrix<double>& data, const SphericalKMeansOptions& options,
                                SphericalKMeansSummary* summary = nullptr,
                                const SphericalKMeansCallback& callback = {});

}  // namespace sparsecode::features
