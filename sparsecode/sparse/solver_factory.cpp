// Solver factory: maps EncodeOptions onto each solver's own options struct.
#include "sparsecode/sparse/solver_factory.hpp"

#include <stdexcept>

#include "sparsecode/solvers/internal/coordinate_descent_solver.hpp"
#include "sparsecode/solvers/internal/feature_sign_solver.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "sparsecode/solvers/internal/batch_omp.hpp"
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"

namespace sparsecode::sparse {

template <class T>
std::unique_ptr<solvers::CodeSolver<T>> make_code_solver(const EncodeOptions& options) {
  options.validate();
  switch (options.solver) {
    case SolverKind::lars: {
      solvers::LarsOptions o;
      o.max_steps = options.max_iterations;
      o.arithmetic = options.arithmetic;
      return std::make_unique<solvers::internal::LarsLasso<T>>(options.penalty, o);
    }
    case SolverKind::fss: {
      solvers::FeatureSignOptions o;
      o.max_iterations = options.max_iterations;
      return std::make_unique<solvers::internal::FeatureSign<T>>(options.penalty, o);
    }
    case SolverKind::omp: {
      solvers::OmpOptions o;
      o.max_atoms = options.omp_atoms;
      o.residual_tolerance = options.omp_tolerance;
      return std::make_unique<solvers::internal::BatchOmp<T>>(o);
    }
    case SolverKind::cd: {
      solvers::CoordinateDescentOptions o;
      o.tolerance = options.tolerance;
      if (options.max_iterations > 0) o.max_sweeps = options.max_iterations;
      return std::make_unique<solvers::internal::CoordinateDescent<T>>(options.penalty, o);
    }
    case SolverKind::fista:
    case SolverKind::ista: {
      solvers::ProximalGradientOptions o;
      o.method = options.solver == SolverKind::fista ? solvers::ProximalMethod::fista
                                                     : solvers::ProximalMethod::ista;
      o.tolerance = options.tolerance;
      o.screening = options.screening;
      o.polishing = options.polishing;
      o.arithmetic = options.arithmetic;
      if (options.max_iterations > 0) o.max_iterations = options.max_iterations;
      return std::make_unique<solvers::internal::ProximalGradient<T>>(options.penalty, o);
    }
  }
  throw std::invalid_argument("EncodeOptions.solver has an unknown value");
}

template std::unique_ptr<solvers::CodeSolver<float>> make_code_solver<float>(const EncodeOptions&);
template std::unique_ptr<solvers::CodeSolver<double>> make_code_solver<double>(const EncodeOptions&);

}  // namespace sparsecode::sparse
