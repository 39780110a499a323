// Builds the sparse-coding solver that a SolverOptions selects (LARS, CD, FISTA, ISTA, feature-sign, OMP).
#pragma once

#include <memory>

#include "sparsecode/solvers/code_solver.hpp"
#include "sparsecode/solvers/solver_options.hpp"

namespace sparsecode::solvers {

/// A fresh, unprepared solver for `penalty` (ignored by OMP) with the options of the
/// alternative `options` holds. Throws std::invalid_argument naming the field if the penalty or
/// the options are invalid.
template <class T>
std::unique_ptr<CodeSolver<T>> make_code_solver(const Penalty& penalty, const SolverOptions& options);

}  // namespace sparsecode::solvers
