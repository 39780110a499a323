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

/// The mean and 1/sqrt(var + ε) that normalize_contrast_column computes for the p×p patch of
/// every position at stride 1 of an h×w image (stored row by row), from separable sums of the
/// pixels and their squares in double (sums of p along each row, then of p of those down each
/// column; var = E[x²] − mean², clamped at 0): O(p) per position instead of O(p²). `means` and `scales` receive (h−p+1)·(w−p+1) values, row
/// by row. No checks.
void window_contrast_stats(const float* image, Index height, Index width, int p, double epsilon, double* means,
                           double* scales);

}  // namespace sparsecode::preprocess
