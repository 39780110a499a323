// sparse::DataParallel over MPI_COMM_WORLD: sums by MPI_Allreduce, batches by MPI_Allgatherv, samples by MPI_Bcast.
#pragma once

#include <vector>

#include "cli_mpi/session.hpp"
#include "sparsecode/sparse/data_parallel.hpp"

namespace sparsecode::cli_mpi {

/// Each rank holds the training samples [first, first + count) (global indices, in rank order
/// and contiguous). Collective: constructing it gathers every rank's first sample. Every
/// collective first joins the session's failure agreement (Session::confirm_no_failure), so
/// when a rank's learner throws between two of them, the others throw RankFailure there
/// instead of waiting for it.
class MpiDataParallel final : public sparse::DataParallel {
 public:
  MpiDataParallel(const Session& session, Index first, Index count);

  Index total_samples() const override { return total_; }
  Index first_sample() const override { return first_; }
  bool writes_files() const override { return session_.root(); }
  /// MPI_Allreduce(MPI_SUM): for a given number of ranks (and the same Open MPI set-up) the
  /// same reduction order every run.
  void sum(double* values, Index count) const override;
  Matrix<double> gather_columns(const Matrix<double>& mine) const override;
  Vector<double> sample(Index index, const Matrix<double>& mine) const override;

 private:
  const Session& session_;
  Index first_ = 0;
  Index total_ = 0;
  std::vector<long long> firsts_;  ///< every rank's first sample, then the total
};

}  // namespace sparsecode::cli_mpi
