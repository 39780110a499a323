// Thread-count policy implementation (OpenMP and OpenBLAS thread controls).
#include "sparsecode/core/threads.hpp"

#include <omp.h>

#ifdef EIGEN_USE_BLAS
#include <cblas.h>
#endif

namespace sparsecode::core {

int resolve_threads(int requested) { return requested > 0 ? requested : omp_get_num_procs(); }

int threads_for_work(int requested, long long work_items) {
  const int threads = resolve_threads(requested);
  if (work_items < 1) return 1;
  return work_items < threads ? static_cast<int>(work_items) : threads;
}

#ifdef EIGEN_USE_BLAS
SingleThreadedBlas::SingleThreadedBlas() : previous_(openblas_get_num_threads()) {
  openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() { openblas_set_num_threads(previous_); }
#else
// Built with Eigen's own kernels (SPARSECODE_BLAS_PRODUCTS resolved to OFF): nothing calls BLAS,
// and the library does not link OpenBLAS at all, whose thread pool would otherwise start with
// the process and spin on a core for its first ~0.1 s.
SingleThreadedBlas::SingleThreadedBlas() : previous_(1) {}

SingleThreadedBlas::~SingleThreadedBlas() = default;
#endif

}  // namespace sparsecode::core
