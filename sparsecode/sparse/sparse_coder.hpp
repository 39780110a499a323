// SparseCoder: a reusable batch encoder in Eigen's compute/solve shape (G = DᵀD and solvers kept between calls).
#pragma once

#include <functional>
#include <memory>

#include <Eigen/Core>

#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::sparse {

/// Sparse codes A (k×N) of signals X (d×N) on a dictionary D (d×k, ‖d_j‖₂ ≤ 1), per sample
/// min_a ½‖x − Da‖² + λ‖a‖₁ (+ ½λ₂‖a‖², a ≥ 0 on request), or OMP, with certificates:
///
///     SparseCoder<double> coder(options);   // validates the options once
///     coder.compute(D);                     // validates D, copies it, computes G = DᵀD
///     EncodeSummary s = coder.encode(X, A); // as often as needed, D and G reused
///
/// Inputs are Eigen::Ref<const Matrix<T>>, so an Eigen::Map over NumPy or Armadillo memory (or a
/// block of a matrix) is read in place; codes are written into caller memory through an
/// Eigen::Ref<Matrix<T>> of shape k×N (a Map works), or into a Matrix<T> that encode() resizes.
/// One OpenMP loop over fixed-size chunks of samples (dynamic schedule, per-thread solver clones
/// and buffers, OpenBLAS single-threaded throughout): each chunk computes its DᵀX by one GEMM
/// into its thread's buffer and solves it; memory beyond the codes does not grow with N. Results do not depend on `threads`, nor on whether the coder is
/// fresh or reused. The per-thread solvers and workspaces are kept between encode() calls.
/// One encode() at a time per coder (it uses the coder's workspaces); use one coder per thread
/// that encodes concurrently.
template <class T>
class SparseCoder {
 public:
  /// Throws std::invalid_argument naming the field if `options` are invalid.
  explicit SparseCoder(const EncodeOptions& options = {});
  ~SparseCoder();
  SparseCoder(SparseCoder&&) noexcept;
  SparseCoder& operator=(SparseCoder&&) noexcept;
  SparseCoder(const SparseCoder&) = delete;
  SparseCoder& operator=(const SparseCoder&) = delete;

  /// Binds the coder to `dictionary` (d×k): checks it (not empty, finite, atom norms ≤ 1 + 1e-6),
  /// keeps a copy and computes G = DᵀD. May be called again with another dictionary (of any
  /// shape). Throws std::invalid_argument naming the atom, or if λ = λ₂ = 0 and k > d for a
  /// LASSO solver (least squares is not unique there; use λ > 0, λ₂ > 0 or OMP); the coder is
  /// then unchanged.
  SparseCoder& compute(const Eigen::Ref<const Matrix<T>>& dictionary);

  /// Whether compute() has succeeded, i.e. encode() may be called.
  bool computed() const;
  /// The dictionary's dimension d and atom count k (0 before compute()).
  Index dimension() const;
  Index atoms() const;
  const EncodeOptions& options() const { return options_; }

  /// Codes of `signals` (d×N) into `codes`, which must be k×N (caller memory, not resized); for
  /// Start::warm it holds the starting points on entry. Throws std::invalid_argument before
  /// compute(), for a shape mismatch (naming both shapes) or non-finite values.
  EncodeSummary encode(const Eigen::Ref<const Matrix<T>>& signals, Eigen::Ref<Matrix<T>> codes);
  /// The same, with `codes` resized to k×N for a cold start (its allocation reused if it has
  /// that shape already).
  EncodeSummary encode(const Eigen::Ref<const Matrix<T>>& signals, Matrix<T>& codes);

  /// Called for every chunk of samples [first, first + count) once its codes are final, in
  /// sample order, by whichever coding thread completes the next chunk in line (never two calls
  /// at once, and no thread waits for it): a caller consumes the codes, e.g. accumulates
  /// statistics, while later chunks are still being coded rather than after encode() returns.
  using ChunkVisitor = std::function<void(Index first, Index count)>;
  /// encode() into a resized `codes` (cold start, as above) with `visit` called for each chunk
  /// as ChunkVisitor describes. An exception from `visit` ends the encode with it.
  EncodeSummary encode(const Eigen::Ref<const Matrix<T>>& signals, Matrix<T>& codes, const ChunkVisitor& visit);

 private:
  struct Workspace;
  EncodeOptions options_;
  std::unique_ptr<Workspace> workspace_;
};

}  // namespace sparsecode::sparse
