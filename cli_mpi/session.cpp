// Session: rank and size of MPI_COMM_WORLD, failures agreed across ranks, ordered sums, shards.
#include "cli_mpi/session.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>

#include "cli/commands.hpp"

namespace sparsecode::cli_mpi {

Session::Session() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

namespace {

// FNV-1a of a message, in 62 bits (so that its negation fits a long long).
long long message_hash(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<long long>(hash >> 2);
}

}  // namespace

void Session::step(const std::function<void()>& work) const {
  std::string message;
  int status = 0;
  bool locate = false;
  try {
    work();
  } catch (const RankFailure&) {
    throw;  // agreed by every rank inside `work`
  } catch (const cli::UsageError& e) {
    message = e.what();
    status = 2;
  } catch (const std::exception& e) {
    message = e.what();
    status = 1;
    locate = true;
  } catch (...) {
    message = "unknown error";
    status = 1;
    locate = true;
  }
  agree(status, message, locate);
}

void Session::confirm_no_failure() const { agree(0, std::string(), false); }

void Session::agree(int status, const std::string& message, bool locate) const {
  const bool failed = status != 0;
  // One MPI_MIN over: the lowest failing rank; -1 if some rank succeeded; the least and
  // (negated) greatest hash of the failing ranks' messages (equal: they all say the same).
  const long long hash = message_hash(message);
  const long long mine[4] = {failed ? rank_ : size_, failed ? 0 : -1, failed ? hash : LLONG_MAX,
                             failed ? -hash : LLONG_MAX};
  long long all[4] = {};
  MPI_Allreduce(mine, all, 4, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  if (all[0] == size_) return;
  const int first_failed = static_cast<int>(all[0]);
  const bool everyone_alike = all[1] == 0 && all[2] == -all[3];
  int header[3] = {status, locate ? 1 : 0, static_cast<int>(message.size())};
  MPI_Bcast(header, 3, MPI_INT, first_failed, MPI_COMM_WORLD);
  std::string text = message;
  text.resize(static_cast<std::size_t>(header[2]));
  MPI_Bcast(text.data(), header[2], MPI_CHAR, first_failed, MPI_COMM_WORLD);
  if (header[1] != 0 && size_ > 1 && !everyone_alike) text = "rank " + std::to_string(first_failed) + ": " + text;
  throw RankFailure(text, header[0]);
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
