// Solver factory: constructs the solver class behind each SolverOptions alternative.
#include "sparsecode/solvers/solver_factory.hpp"

#include "sparsecode/solvers/internal/batch_omp.hpp"
#include "sparsecode/solvers/internal/coordinate_descent_solver.hpp"
#include "sparsecode/solvers/internal/feature_sign_solver.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"

namespace sparsecode::solvers {

template <class T>
std::unique_ptr<CodeSolver<T>> make_code_solver(const Penalty& penalty, const SolverOptions& options) {
  penalty.validate();
  validate(options);
  struct Make {
    const Penalty& penalty;
    std::unique_ptr<CodeSolver<T>> operator()(const LarsOptions& o) const {
      return std::make_unique<internal::LarsLasso<T>>(penalty, o);
    }
    std::unique_ptr<CodeSolver<T>> operator()(const CoordinateDescentOptions& o) const {
      return std::make_unique<internal::CoordinateDescent<T>>(penalty, o);
    }
    std::unique_ptr<CodeSolver<T>> operator()(const ProximalGradientOptions& o) const {
      return std::make_unique<internal::ProximalGradient<T>>(penalty, o);
    }
    std::unique_ptr<CodeSolver<T>> operator()(const FeatureSignOptions& o) const {
      return std::make_unique<internal::FeatureSign<T>>(penalty, o);
    }
    std::unique_ptr<CodeSolver<T>> operator()(const OmpOptions& o) const {
      return std::make_unique<internal::BatchOmp<T>>(o);
    }
  };
  return std::visit(Make{penalty}, options);
}

template std::unique_ptr<CodeSolver<float>> make_code_solver<float>(const Penalty&, const SolverOptions&);
template std::unique_ptr<CodeSolver<double>> make_code_solver<double>(const Penalty&, const SolverOptions&);

}  // namespace sparsecode::solvers
