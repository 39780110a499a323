// The MPI job as the commands see it: rank, size, and steps that fail on every rank together.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <mpi.h>

namespace sparsecode::cli_mpi {

/// A step failed on some rank; every rank throws this with the same message and exit status
/// (those of the lowest failing rank), so rank 0 alone reports it and all ranks exit alike.
class RankFailure : public std::runtime_error {
 public:
  RankFailure(const std::string& message, int exit_status)
      : std::runtime_error(message), exit_status_(exit_status) {}
  int exit_status() const { return exit_status_; }

 private:
  int exit_status_;
};

/// MPI_COMM_WORLD's rank and size, and collective error agreement.
class Session {
 public:
  Session();
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  /// Runs `step` on this rank, then agrees with every rank whether all succeeded (one
  /// MPI_Allreduce). If any rank's step threw, every rank throws RankFailure carrying the
  /// lowest failing rank's message (data errors prefixed "rank R: " when there are several ranks
  /// and not all of them failed with the same message) and exit status (2 for cli::UsageError,
  /// 1 otherwise). Every rank must call it the same number of times (it is collective). A
  /// RankFailure thrown by `work` (from a nested agreement) is rethrown as it is: every rank
  /// already holds it.
  void step(const std::function<void()>& work) const;

  /// A healthy rank's side of step()'s agreement, for the collective points inside a step (the
  /// learner's sums, gathers and broadcasts call it before their payload): returns when no rank
  /// has failed, throws RankFailure (as step() does) when one has. A rank whose work threw
  /// between two such points enters step()'s agreement, which meets this call on the others,
  /// so no rank is left waiting in a collective that a failed rank will never make.
  void confirm_no_failure() const;

  /// Rank 0's string on every rank.
  std::string broadcast(std::string text) const;

  /// Element-wise sum over ranks of `values`, added in rank order on rank 0 and broadcast, so
  /// the result is the same on every run with the same number of ranks.
  std::vector<double> sum_in_rank_order(const std::vector<double>& values) const;

 private:
  /// The agreement itself: `status` 0 on a rank that succeeded, else its exit status and message.
  void agree(int status, const std::string& message, bool locate) const;
  int rank_ = 0;
  int size_ = 1;
};

/// Rows [first, last) of rank `rank` of `size` when `rows` rows are split in contiguous blocks
/// whose boundaries are multiples of `alignment` (the last block ends at `rows`).
struct RowRange {
  long long first = 0;
  long long last = 0;
};
RowRange shard_rows(long long rows, long long alignment, int rank, int size);

}  // namespace sparsecode::cli_mpi
