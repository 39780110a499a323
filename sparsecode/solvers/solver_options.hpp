// Solver selection: one std::variant of the per-solver options structs, validated in one place.
#pragma once

#include <string>
#include <variant>

#include "sparsecode/solvers/coordinate_descent.hpp"
#include "sparsecode/solvers/feature_sign.hpp"
#include "sparsecode/solvers/lars.hpp"
#include "sparsecode/solvers/omp.hpp"
#include "sparsecode/solvers/proximal_gradient.hpp"

namespace sparsecode::solvers {

/// The sparse-coding solver and every one of its settings: the alternative held names the
/// solver (ProximalGradientOptions::method picks FISTA or ISTA). Default: LARS.
using SolverOptions = std::variant<LarsOptions, CoordinateDescentOptions, ProximalGradientOptions,
                                   FeatureSignOptions, OmpOptions>;

/// Default-constructed options of the solver named "lars", "cd", "fista", "ista", "fss" or
/// "omp" (the CLI's names); throws std::invalid_argument naming the value otherwise.
SolverOptions parse_solver(const std::string& name);

/// The CLI name of the solver that `options` selects: "lars", "cd", "fista", "ista", "fss", "omp".
std::string solver_name(const SolverOptions& options);

/// Validates the alternative held; throws std::invalid_argument naming the struct and field
/// (e.g. "ProximalGradientOptions.check_every must be > 0, got 0").
void validate(const SolverOptions& options);

/// Whether the solver starts from the given code (CD, FISTA/ISTA, feature-sign) or always from
/// zero (LARS follows the path from a = 0, OMP selects atoms from an empty support).
bool uses_warm_start(const SolverOptions& options);

}  // namespace sparsecode::solvers
