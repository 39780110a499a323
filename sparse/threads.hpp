// Thread-count policy: OpenMP over patches outside, single-threaded BLAS inside parallel regions.
#pragma once

namespace sparsecode::sparse {

/// Number of threads to use: `requested` if positive, otherwise the cores available to OpenMP.
int resolve_threads(int requested);

/// Keeps OpenBLAS and Eigen's own GEMM single-threaded for its lifetime and restores the previous
/// settings after. Construct it around an OpenMP loop whose body calls BLAS (through Eigen's
/// EIGEN_USE_BLAS) or Eigen's products: a threaded GEMM nested in OpenMP oversubscribes the
/// cores and runs many times slower. (Eigen only checks omp_get_num_threads() > 1, so inside a
/// one-thread team it would start its own team and spin waiting for it.)
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
  int previous_eigen_;
};

}  // namespace sparsecode::sparse
