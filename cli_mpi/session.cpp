// Session: rank and size of MPI_COMM_WORLD, failures agreed across ranks, ordered sums, shards.
#include "cli_mpi/session.hpp"

#include <algorithm>
#include <exception>

#include "cli/commands.hpp"

namespace sparsecode::cli_mpi {

Session::Session() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

std::string Session::location() const {
  return size_ > 1 ? "rank " + std::to_string(rank_) + ": " : std::string();
}

void Session::step(const std::function<void()>& work) const {
  std::string message;
  int status = 0;
  try {
    work();
  } catch (const RankFailure& e) {
    message = e.what();
    status = e.exit_status();
  } catch (const cli::UsageError& e) {
    message = e.what();
    status = 2;
  } catch (const std::exception& e) {
    message = location() + e.what();
    status = 1;
  } catch (...) {
    message = location() + "unknown error";
    status = 1;
  }
  const int mine = status != 0 ? rank_ : size_;
  int first_failed = size_;
  MPI_Allreduce(&mine, &first_failed, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first_failed == size_) return;
  int shared_status = status;
  MPI_Bcast(&shared_status, 1, MPI_INT, first_failed, MPI_COMM_WORLD);
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, first_failed, MPI_COMM_WORLD);
  message.resize(static_cast<std::size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, first_failed, MPI_COMM_WORLD);
  throw RankFailure(message, shared_status);
}

std::string Session::broadcast(std::string text) const {
  int length = static_cast<int>(text.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  text.resize(static_cast<std::size_t>(length));
  MPI_Bcast(text.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  return text;
}

std::vector<double> Session::sum_in_rank_order(const std::vector<double>& values) const {
  const int n = static_cast<int>(values.size());
  std::vector<double> all(root() ? values.size() * static_cast<std::size_t>(size_) : 0);
  MPI_Gather(values.data(), n, MPI_DOUBLE, all.data(), n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  std::vector<double> sum(values.size(), 0.0);
  if (root()) {
    for (int r = 0; r < size_; ++r) {
      for (int i = 0; i < n; ++i) sum[static_cast<std::size_t>(i)] += all[static_cast<std::size_t>(r * n + i)];
    }
  }
  MPI_Bcast(sum.data(), n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return sum;
}

RowRange shard_rows(long long rows, long long alignment, int rank, int size) {
  const long long units = (rows + alignment - 1) / alignment;
  auto boundary = [&](int r) { return std::min(rows, units * r / size * alignment); };
  return {boundary(rank), boundary(rank + 1)};
}

}  // namespace sparsecode::cli_mpi
