// The seam for data-parallel learning: this process holds one contiguous shard of the training set and shares sums with the others.
#pragma once

#include "sparsecode/core/types.hpp"

namespace sparsecode::sparse {

/// What a learner needs from a data-parallel runtime (e.g. MPI, in `sparsecode-mpi`; the
/// library itself has no such dependency). Every process runs the same learner with the same
/// options and seed; its `data` argument holds only the training samples with global indices
/// [first_sample(), first_sample() + data.cols()). Mini-batch indices are drawn identically on
/// every process from the shared seed; each process codes the ones it holds, and the
/// statistics' increments are summed with sum(). Every call is collective: all processes make
/// it in the same order, and it returns the same values on all of them.
class DataParallel {
 public:
  virtual ~DataParallel() = default;

  virtual Index total_samples() const = 0;  ///< N of the whole training set
  virtual Index first_sample() const = 0;   ///< global index of this process's first column
  /// Whether this process writes files (checkpoints); exactly one process does.
  virtual bool writes_files() const = 0;

  /// Replaces values[0..count) by their sum over processes. For a given number of processes
  /// the result is the same on every run (reproducible).
  virtual void sum(double* values, Index count) const = 0;
  /// The columns of every process's `mine` (all with the same number of rows), concatenated in
  /// process order.
  virtual Matrix<double> gather_columns(const Matrix<double>& mine) const = 0;
  /// Training sample `index` (global) on every process; `mine` is this process's shard.
  virtual Vector<double> sample(Index index, const Matrix<double>& mine) const = 0;

 protected:
  DataParallel() = default;
  DataParallel(const DataParallel&) = default;
  DataParallel& operator=(const DataParallel&) = default;
};

}  // namespace sparsecode::sparse
