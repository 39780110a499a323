// Per-patch contrast normalization: each column has its mean removed and is divided by sqrt(variance + ε).
#pragma once

#include "sparsecode/core/types.hpp"

namespace sparsecode::preprocess {

/// Normalizes every column x (one patch, d values) in place:
///   x ← (x − mean(x)) / sqrt(var(x) + ε),   var(x) = (1/d) Σ (xᵢ − mean(x))²,
/// as Coates, Lee & Ng (2011) do before whitening (there ε = 10 for pixels in 0..255).
/// Sums are accumulated in double for float data. Throws std::invalid_argument for ε ≤ 0
/// (a flat patch would divide by zero) or a non-finite value in `patches`.
template <class T>
void normalize_contrast(Matrix<T>& patches, double epsilon);

/// The same for one column of d values (the loop body of normalize_contrast, no checks).
template <class T>
void normalize_contrast_column(T* values, Index d, double epsilon);

}  // namespace sparsecode::preprocess
