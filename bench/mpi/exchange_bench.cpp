// The collectives of one data-parallel learning step, timed alone: the cost model's R(P) without any waiting.
//
//   mpirun -np P mpi_exchange_bench [D] [K] [ETA] [S] [REPEATS]   (defaults 144 256 512 17 300)
//
// Per repetition, after a barrier (so no rank waits for another's work): the failure agreement
// (MPI_Allreduce of 4 integers, as every collective of sparsecode-mpi's learner joins first),
// the allreduce of B's increment and four sums (dK + 4 doubles), and the allgather of the
// mini-batch's packed codes (ETA/P codes of S non-zeros a rank, 1 + 2S doubles each, with the
// size exchange first). Rank 0 prints min, median and 90th percentile in microseconds.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Times {
  std::vector<double> agreement, allreduce, allgather;
};

void report(const char* what, std::vector<double> t) {
  std::sort(t.begin(), t.end());
  const auto at = [&](double q) { return t[static_cast<std::size_t>(q * static_cast<double>(t.size() - 1))] * 1e6; };
  std::printf("%-40s min %8.1f  median %8.1f  p90 %8.1f us\n", what, at(0.0), at(0.5), at(0.9));
}

long arg(int argc, char** argv, int i, long fallback) {
  if (argc <= i) return fallback;
  char* end = nullptr;
  const long v = std::strtol(argv[i], &end, 10);
  if (*end != '\0' || v < 1) {
    std::fprintf(stderr, "mpi_exchange_bench: argument %d must be a positive integer, got '%s'\n", i, argv[i]);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const long d = arg(argc, argv, 1, 144);
  const long k = arg(argc, argv, 2, 256);
  const long eta = arg(argc, argv, 3, 512);
  const long s = arg(argc, argv, 4, 17);
  const long repeats = arg(argc, argv, 5, 300);
  std::vector<double> sums(static_cast<std::size_t>(d * k + 4), 1.0);
  const int packed = static_cast<int>((eta / size) * (1 + 2 * s));
  std::vector<double> mine(static_cast<std::size_t>(packed), 1.0);
  std::vector<double> all(static_cast<std::size_t>(packed) * static_cast<std::size_t>(size));
  std::vector<int> counts(static_cast<std::size_t>(size));
  std::vector<int> offsets(static_cast<std::size_t>(size));
  Times times;
  for (long r = 0; r < repeats; ++r) {
    int flags[4] = {rank, 0, 0, 0};
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, flags, 4, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    times.agreement.push_back(MPI_Wtime() - start);
    MPI_Barrier(MPI_COMM_WORLD);
    start = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(sums.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    times.allreduce.push_back(MPI_Wtime() - start);
    std::fill(sums.begin(), sums.end(), 1.0);
    MPI_Barrier(MPI_COMM_WORLD);
    start = MPI_Wtime();
    MPI_Allgather(&packed, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    for (int p = 1; p < size; ++p) offsets[static_cast<std::size_t>(p)] = offsets[static_cast<std::size_t>(p - 1)] + counts[static_cast<std::size_t>(p - 1)];
    MPI_Allgatherv(mine.data(), packed, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                   MPI_COMM_WORLD);
    times.allgather.push_back(MPI_Wtime() - start);
  }
  if (rank == 0) {
    std::printf("%d ranks; d = %ld, k = %ld, eta = %ld, s = %ld; %ld repeats\n", size, d, k, eta, s, repeats);
    report("agreement (4 ints)", times.agreement);
    char label[64];
    std::snprintf(label, sizeof label, "allreduce of dk + 4 = %ld doubles", d * k + 4);
    report(label, times.allreduce);
    std::snprintf(label, sizeof label, "allgather of %d packed doubles a rank", packed);
    report(label, times.allgather);
  }
  MPI_Finalize();
  return 0;
}
