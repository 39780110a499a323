// Thread-count policy: OpenMP over patches outside, single-threaded BLAS inside parallel regions.
#pragma once

namespace sparsecode::core {

/// Number of threads to use: `requested` if positive, otherwise the cores available to OpenMP.
int resolve_threads(int requested);

/// Threads for a parallel loop over `work_items` independent items (chunks, images): the
/// resolved request capped at the items (at least 1). Every OpenMP loop that allocates per
/// thread sizes its team with this, so `--threads 4096` on 8 chunks starts 8 threads and
/// builds 8 workspaces, not 4096.
int threads_for_work(int requested, long long work_items);

/// Keeps OpenBLAS single-threaded for its lifetime and restores the previous setting after.
/// Construct it around an OpenMP loop whose body calls BLAS (through Eigen's EIGEN_USE_BLAS):
/// a threaded BLAS nested in OpenMP oversubscribes the cores and runs many times slower.
/// (Eigen's own products never start threads: the build defines EIGEN_DONT_PARALLELIZE.)
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

}  // namespace sparsecode::core
