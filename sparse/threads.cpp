// Thread-count policy implementation (OpenMP and OpenBLAS thread controls).
#include "sparse/threads.hpp"

#include <cblas.h>
#include <omp.h>

#include <Eigen/Core>

namespace sparsecode::sparse {

int resolve_threads(int requested) { return requested > 0 ? requested : omp_get_num_procs(); }

// Eigen reports omp_get_max_threads() when no count was set; restoring 0 keeps it following OpenMP.
SingleThreadedBlas::SingleThreadedBlas()
    : previous_(openblas_get_num_threads()),
      previous_eigen_(Eigen::nbThreads() == omp_get_max_threads() ? 0 : Eigen::nbThreads()) {
  openblas_set_num_threads(1);
  Eigen::setNbThreads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  openblas_set_num_threads(previous_);
  Eigen::setNbThreads(previous_eigen_);
}

}  // namespace sparsecode::sparse
