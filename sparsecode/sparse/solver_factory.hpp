// Builds the sparse-coding solver that EncodeOptions names (LARS, CD, FISTA, ISTA, feature-sign, OMP).
#pragma once

#include <memory>

#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::sparse {

/// A fresh, unprepared solver for `options` (solver kind, penalty, tolerance, iteration cap,
/// OMP target). Throws std::invalid_argument if the options are invalid.
template <class T>
std::unique_ptr<solvers::CodeSolver<T>> make_code_solver(const EncodeOptions& options);

}  // namespace sparsecode::sparse
