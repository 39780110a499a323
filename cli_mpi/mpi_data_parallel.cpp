// MpiDataParallel: the data-parallel learner's collectives over MPI_COMM_WORLD.
#include "cli_mpi/mpi_data_parallel.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sparsecode::cli_mpi {

MpiDataParallel::MpiDataParallel(const Session& session, Index first, Index count)
    : session_(session), first_(first), firsts_(static_cast<std::size_t>(session.size()) + 1) {
  long long mine[2] = {first, count};
  std::vector<long long> all(static_cast<std::size_t>(2 * session.size()));
  MPI_Allgather(mine, 2, MPI_LONG_LONG, all.data(), 2, MPI_LONG_LONG, MPI_COMM_WORLD);
  for (int r = 0; r < session.size(); ++r) firsts_[static_cast<std::size_t>(r)] = all[static_cast<std::size_t>(2 * r)];
  const auto last = static_cast<std::size_t>(session.size() - 1);
  firsts_.back() = all[2 * last] + all[2 * last + 1];
  total_ = firsts_.back();
}

void MpiDataParallel::sum(double* values, Index count) const {
  session_.confirm_no_failure();
  MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

Matrix<double> MpiDataParallel::gather_columns(const Matrix<double>& mine) const {
  session_.confirm_no_failure();
  const int size = session_.size();
  const int values = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size));
  MPI_Allgather(&values, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(size), 0);
  for (int r = 1; r < size; ++r) {
    offsets[static_cast<std::size_t>(r)] = offsets[static_cast<std::size_t>(r - 1)] + counts[static_cast<std::size_t>(r - 1)];
  }
  const int total = offsets.back() + counts.back();
  Matrix<double> all(mine.rows(), mine.rows() > 0 ? total / mine.rows() : 0);
  MPI_Allgatherv(mine.data(), values, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return all;
}

Vector<double> MpiDataParallel::sample(Index index, const Matrix<double>& mine) const {
  const auto next = std::upper_bound(firsts_.begin(), firsts_.end() - 1, static_cast<long long>(index));
  const int owner = static_cast<int>(next - firsts_.begin()) - 1;
  if (index < 0 || index >= total_ || owner < 0) {
    throw std::invalid_argument("MpiDataParallel::sample: index " + std::to_string(index) + " outside [0, " +
                                std::to_string(total_) + ")");
  }
  session_.confirm_no_failure();
  Vector<double> x(mine.rows());
  if (owner == session_.rank()) x = mine.col(index - first_);
  MPI_Bcast(x.data(), static_cast<int>(x.size()), MPI_DOUBLE, owner, MPI_COMM_WORLD);
  return x;
}

}  // namespace sparsecode::cli_mpi
