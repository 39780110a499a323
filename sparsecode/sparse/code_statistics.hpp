// The learners' sufficient statistics A = Σ w a aᵀ and B = Σ w x aᵀ, accumulated over the codes' non-zeros.
#pragma once

#include <span>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::sparse {

/// add()'s A and usage terms for codes in pack_codes() form, in their order, into `a` (k×k) and
/// `usage` (k). Data-parallel learning gathers every process's packed codes, a few non-zeros
/// each, and every process adds them all: O(η·s) values to move instead of A's k² increments.
/// Throws std::invalid_argument for a truncated stream or an atom index outside [0, k).
void add_outer(std::span<const double> packed, double weight, Eigen::Ref<Matrix<double>> a,
               Eigen::Ref<Vector<double>> usage);

/// The statistics of Mairal et al. 2010 (Algorithm 1): A (k×k) = Σ w·a aᵀ and B (d×k) = Σ w·x aᵀ
/// over coded samples x with codes a, plus per atom the number of codes that used it (`usage`,
/// for atom replacement). The dictionary step minimizes ½tr(DᵀDA) − tr(DᵀB). Codes are sparse,
/// so a sample costs O(s²) for A and O(d·s) for B with s non-zeros, instead of O(k²) and O(d·k).
class CodeStatistics {
 public:
  /// Zero statistics for dimension d and k atoms.
  void reset(Index dimension, Index atoms);

  /// A ← βA, B ← βB (down-weighting the past; usage is kept).
  void scale(double beta);

  /// For every column i: A += w·a_i a_iᵀ, B += w·x_i a_iᵀ over the non-zeros of a_i (in the
  /// order of the columns, then of the atoms), and usage(j) += 1 for every non-zero a_ij.
  /// samples is d×n, codes k×n. Up to `threads` OpenMP threads (0: all cores; at most one
  /// per 16 atoms) own contiguous ranges of atoms (columns of A and B); every entry still
  /// receives its terms in column order, so the result is the same for any thread count, and
  /// as a serial loop's.
  void add(const Eigen::Ref<const Matrix<double>>& samples, const Eigen::Ref<const Matrix<double>>& codes, double weight,
           int threads = 1);

  /// add()'s A and usage terms only, for codes in pack_codes() form (in their order): see
  /// add_outer() below.
  void add_outer(std::span<const double> packed, double weight) { sparse::add_outer(packed, weight, a_, usage_); }

  /// A += a, usage += usage: increments accumulated elsewhere (by add_outer(), summed over
  /// processes in data-parallel learning); a is k×k, usage k, the caller's to check.
  void accumulate_outer(const Eigen::Ref<const Matrix<double>>& a, const Eigen::Ref<const Vector<double>>& usage);

  /// B += b: B increments accumulated elsewhere (by add_cross(), summed over processes in
  /// data-parallel learning); b is d×k, the caller's to check.
  void accumulate_cross(const Eigen::Ref<const Matrix<double>>& b);

  /// Clears atom j's statistics (row and column j of A, column j of B), which belonged to an
  /// atom being replaced; usage is kept.
  void clear_atom(Index j);

  void clear_usage() { usage_.setZero(); }

  /// Sets all three (a checkpoint's); shapes are the caller's to check.
  void assign(Matrix<double> a, Matrix<double> b, Vector<double> usage);

  const Matrix<double>& a() const { return a_; }         ///< k×k
  const Matrix<double>& b() const { return b_; }         ///< d×k
  const Vector<double>& usage() const { return usage_; } ///< k

 private:
  Matrix<double> a_;
  Matrix<double> b_;
  Vector<double> usage_;
  std::vector<Index> supports_;  ///< workspace: column i's non-zeros in slots [i·k, i·k + counts_[i])
  std::vector<double> values_;   ///< workspace: their values, in the same slots
  std::vector<Index> counts_;    ///< workspace: non-zeros per column
};

/// add()'s B terms only, into `b` (d×k): b += w·x_i a_iᵀ over the non-zeros of every code a_i,
/// in column order, for the codes of samples (d×n) in pack_codes() form (n codes). Throws
/// std::invalid_argument as add_outer() does, or if `packed` does not hold n codes.
void add_cross(const Eigen::Ref<const Matrix<double>>& samples, std::span<const double> packed, double weight,
               Eigen::Ref<Matrix<double>> b);

/// The non-zeros of codes (k×n) appended to `packed` in a flat form that one gather can move:
/// for each column its count s, then its s atom indices (ascending), then their s values.
void pack_codes(const Eigen::Ref<const Matrix<double>>& codes, std::vector<double>& packed);

}  // namespace sparsecode::sparse
