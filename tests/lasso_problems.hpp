// Test helpers for sparse-coding solvers: random and coherent dictionaries, patch-like signals, KKT residuals.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "solvers/code_solver.hpp"
#include "sparse/types.hpp"

namespace sparsecode::test {

using sparse::Index;
using sparse::Matrix;
using sparse::Vector;

/// Standard normal matrix from a seeded engine (Box–Muller on the raw 64-bit output).
inline Matrix<double> gaussian(Index rows, Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&rng]() { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  Matrix<double> m(rows, cols);
  for (Index j = 0; j < cols; ++j) {
    for (Index i = 0; i < rows; ++i) {
      m(i, j) = std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform());
    }
  }
  return m;
}

inline Matrix<double> unit_columns(Matrix<double> m) {
  for (Index j = 0; j < m.cols(); ++j) m.col(j).normalize();
  return m;
}

/// Random unit atoms; with `coherence` > 0 every atom shares a common direction
/// (D = normalize(B + coherence·common)), which makes the problem ill-conditioned.
inline Matrix<double> random_dictionary(Index d, Index k, std::uint64_t seed, double coherence = 0.0) {
  Matrix<double> b = gaussian(d, k, seed);
  // The common direction has the atoms' typical norm √d.
  const Vector<double> common =
      gaussian(d, 1, seed + 1000).col(0).normalized() * std::sqrt(static_cast<double>(d));
  b.colwise() += coherence * common;
  return unit_columns(b);
}

/// Natural-image-like p×p patches (d = p²): random sums of a few low-frequency cosines plus
/// a little noise, so neighbouring pixels are strongly correlated.
inline Matrix<double> smooth_patches(int side, Index n, std::uint64_t seed) {
  const Index d = static_cast<Index>(side) * side;
  const Matrix<double> coeff = gaussian(8, n, seed);
  const Matrix<double> noise = gaussian(d, n, seed + 1);
  Matrix<double> x(d, n);
  for (Index s = 0; s < n; ++s) {
    for (int r = 0; r < side; ++r) {
      for (int c = 0; c < side; ++c) {
        double v = 0.0;
        for (int f = 0; f < 8; ++f) {
          const double fr = (f % 3) * M_PI / side;
          const double fc = (f / 3) * M_PI / side;
          v += coeff(f, s) * std::cos(fr * (r + 0.5)) * std::cos(fc * (c + 0.5)) / (1.0 + f);
        }
        x(r * side + c, s) = v + 0.05 * noise(r * side + c, s);
      }
    }
  }
  return x;
}

/// A coherent dictionary of normalised smooth patches (atoms are strongly correlated).
inline Matrix<double> patch_dictionary(int side, Index k, std::uint64_t seed) {
  return unit_columns(smooth_patches(side, k, seed));
}

/// Largest violation of the optimality conditions of ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 for
/// non-negative codes), with g = Dᵀ(x − Da) − λ₂a: |g_j − λ·sign(a_j)| on the support,
/// (|g_j| − λ)₊ off it ((g_j − λ)₊ for a ≥ 0). Also +∞ if a non-negative code has a_j < 0.
inline double kkt_violation(const Matrix<double>& dictionary, const Vector<double>& x,
                            const Vector<double>& a, const solvers::Penalty& penalty) {
  const Vector<double> g = dictionary.transpose() * (x - dictionary * a) - penalty.lambda2 * a;
  const bool nonnegative = penalty.sign == solvers::CodeSign::nonnegative;
  double worst = 0.0;
  for (Index j = 0; j < a.size(); ++j) {
    double v = 0.0;
    if (a(j) != 0.0) {
      if (nonnegative && a(j) < 0.0) return INFINITY;
      v = std::abs(g(j) - penalty.lambda * (a(j) > 0.0 ? 1.0 : -1.0));
    } else {
      v = std::max(0.0, (nonnegative ? g(j) : std::abs(g(j))) - penalty.lambda);
    }
    worst = std::max(worst, v);
  }
  return worst;
}

/// ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖², computed from the residual directly (not in Gram form).
inline double objective(const Matrix<double>& dictionary, const Vector<double>& x,
                        const Vector<double>& a, const solvers::Penalty& penalty) {
  return 0.5 * (x - dictionary * a).squaredNorm() + penalty.lambda * a.lpNorm<1>() +
         0.5 * penalty.lambda2 * a.squaredNorm();
}

/// λ as a fraction of ‖Dᵀx‖∞ over the columns of X (the smallest λ giving a = 0 for all).
inline double lambda_fraction(const Matrix<double>& dictionary, const Matrix<double>& x, double fraction) {
  return fraction * (dictionary.transpose() * x).cwiseAbs().maxCoeff();
}

}  // namespace sparsecode::test
