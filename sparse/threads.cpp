// Thread-count policy implementation (OpenMP and OpenBLAS thread controls).
#include "sparse/threads.hpp"

#include <cblas.h>
#include <omp.h>

namespace sparsecode::sparse {

int resolve_threads(int requested) { return requested > 0 ? requested : omp_get_num_procs(); }

SingleThreadedBlas::SingleThreadedBlas() : previous_(openblas_get_num_threads()) {
  openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() { openblas_set_num_threads(previous_); }

}  // namespace sparsecode::sparse
