// Thread-count policy: OpenMP over patches outside, single-threaded BLAS inside parallel regions.
#pragma once

namespace sparsecode::core {

/// Number of threads to use: `requested` if positive, otherwise the cores available to OpenMP.
int resolve_threads(int requested);

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
