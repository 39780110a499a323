// Test support for sparse-coding solvers: seeded problem generators and KKT / certificate checks.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::test {

using solvers::CodeSign;
using solvers::Penalty;
using core::Index;
using core::Matrix;
using core::Vector;

/// Standard normal variates from std::mt19937_64's raw output (Box–Muller on uniforms built
/// from 53 bits), so the stream is identical on every platform for a given seed.
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  double operator()() {
    const double u = uniform();
    const double v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
  }

 private:
  std::mt19937_64 engine_;
};

inline Matrix<double> gaussian_matrix(Index rows, Index cols, std::uint64_t seed) {
  Normal normal(seed);
  Matrix<double> m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = normal();
  return m;
}

inline Matrix<double> normalize_columns(Matrix<double> m) {
  for (Index j = 0; j < m.cols(); ++j) {
    const double n = m.col(j).norm();
    if (n > 0) m.col(j) /= n;
  }
  return m;
}

/// Gaussian atoms normalised to unit norm: incoherent for k not much larger than d.
inline Matrix<double> random_dictionary(Index d, Index k, std::uint64_t seed) {
  return normalize_columns(gaussian_matrix(d, k, seed));
}

/// normalize(B + common·u1ᵀ) with B's columns and u of unit norm: every pair of atoms shares
/// the direction u, so the mutual coherence is about common²/(1 + common²) or more.
inline Matrix<double> coherent_dictionary(Index d, Index k, std::uint64_t seed, double common = 0.9) {
  Matrix<double> b = random_dictionary(d, k, seed);
  const Vector<double> u = random_dictionary(d, 1, seed + 1).col(0);
  b.colwise() += common * u;
  return normalize_columns(b);
}

/// Smooth patch-like atoms on a side×side grid (d = side²): random low-frequency cosines plus
/// a small offset, normalised. Neighbouring atoms are strongly correlated, like learned bases.
inline Matrix<double> smooth_dictionary(Index side, Index k, std::uint64_t seed) {
  Normal normal(seed);
  Matrix<double> dict(side * side, k);
  for (Index j = 0; j < k; ++j) {
    const double fx = 1.5 * normal.uniform();
    const double fy = 1.5 * normal.uniform();
    const double px = 2.0 * std::numbers::pi * normal.uniform();
    const double py = 2.0 * std::numbers::pi * normal.uniform();
    const double offset = 0.3 * normal();
    for (Index y = 0; y < side; ++y)
      for (Index x = 0; x < side; ++x) {
        dict(y * side + x, j) = std::cos(fx * static_cast<double>(x) + px) * std::cos(fy * static_cast<double>(y) + py) + offset;
      }
  }
  return normalize_columns(dict);
}

/// n signals D·a + noise·ε with `sparsity` Gaussian non-zeros per column.
inline Matrix<double> sparse_signals(const Matrix<double>& dict, Index n, Index sparsity, double noise,
                                     std::uint64_t seed) {
  Normal normal(seed);
  const Index k = dict.cols();
  Matrix<double> codes = Matrix<double>::Zero(k, n);
  for (Index i = 0; i < n; ++i)
    for (Index s = 0; s < sparsity; ++s) {
      const auto j = static_cast<Index>(normal.uniform() * static_cast<double>(k)) % k;
      codes(j, i) = normal();
    }
  Matrix<double> x = dict * codes;
  for (Index i = 0; i < n; ++i)
    for (Index r = 0; r < x.rows(); ++r) x(r, i) += noise * normal();
  return x;
}

/// A problem in Gram form, in precision T (D and X are converted from double).
template <class T>
struct Problem {
  Matrix<T> dictionary;
  Matrix<T> signals;
  solvers::GramCache<T> cache;
  Matrix<T> dtx;       ///< DᵀX, k×N
  Vector<T> x_norm2;   ///< ‖x_i‖², length N

  Problem(const Matrix<double>& dict, const Matrix<double>& x)
      : dictionary(dict.cast<T>()),
        signals(x.cast<T>()),
        cache(dictionary),
        dtx(dictionary.transpose() * signals),
        x_norm2(signals.colwise().squaredNorm().transpose()) {}

  Index atoms() const { return dictionary.cols(); }
  Index samples() const { return signals.cols(); }
};

/// λ_max = ‖c‖∞ (largest positive entry for a ≥ 0): the smallest λ with solution 0.
inline double lambda_max(const Eigen::Ref<const Vector<double>>& dtx, CodeSign sign) {
  return sign == CodeSign::nonnegative ? std::max(0.0, dtx.maxCoeff()) : dtx.cwiseAbs().maxCoeff();
}

/// λ as a fraction of the largest λ_max over the columns of p, so that supports are non-trivial.
inline double fraction_of_lambda_max(const Problem<double>& p, double fraction, CodeSign sign = CodeSign::any) {
  double largest = 0;
  for (Index i = 0; i < p.samples(); ++i) largest = std::max(largest, lambda_max(p.dtx.col(i), sign));
  return fraction * largest;
}

inline Penalty make_penalty(double lambda, double lambda2 = 0, CodeSign sign = CodeSign::any) {
  Penalty pen;
  pen.lambda = lambda;
  pen.lambda2 = lambda2;
  pen.sign = sign;
  return pen;
}

/// KKT violations of a code, relative to max(λ, ‖c‖∞), computed in double:
/// on the support |∇_j − λ·sign(a_j)|, off it max(0, |∇_j| − λ) (max(0, ∇_j − λ) for a ≥ 0),
/// with ∇ = c − Ga − λ₂a; `negative` is the most negative entry (0 if a ≥ 0).
struct KktReport {
  double on_support = 0;
  double off_support = 0;
  double negative = 0;
  double worst() const { return std::max({on_support, off_support, negative}); }
};

template <class T>
KktReport kkt_violation(const Matrix<T>& gram, const Eigen::Ref<const Vector<T>>& dtx,
                        const Eigen::Ref<const Vector<T>>& code, const Penalty& penalty) {
  const Vector<double> c = dtx.template cast<double>();
  const Vector<double> a = code.template cast<double>();
  const Vector<double> grad = c - gram.template cast<double>() * a - penalty.lambda2 * a;
  const double scale = std::max({penalty.lambda, c.cwiseAbs().maxCoeff(), 1e-300});
  const bool nonneg = penalty.sign == CodeSign::nonnegative;
  KktReport r;
  for (Index j = 0; j < a.size(); ++j) {
    if (a(j) != 0) {
      r.on_support = std::max(r.on_support, std::abs(grad(j) - penalty.lambda * (a(j) > 0 ? 1.0 : -1.0)) / scale);
      if (nonneg) r.negative = std::max(r.negative, -a(j));
    } else {
      const double v = nonneg ? grad(j) : std::abs(grad(j));
      r.off_support = std::max(r.off_support, std::max(0.0, v - penalty.lambda) / scale);
    }
  }
  return r;
}

/// Runs `solver` (prepared on p.cache) on every column from a = 0; returns the k×N codes.
template <class T>
Matrix<T> solve_all(solvers::CodeSolver<T>& solver, const Problem<T>& p,
                    std::vector<solvers::SampleResult>* results = nullptr) {
  solver.prepare(p.cache);
  Matrix<T> codes = Matrix<T>::Zero(p.atoms(), p.samples());
  if (results != nullptr) results->assign(static_cast<std::size_t>(p.samples()), {});
  for (Index i = 0; i < p.samples(); ++i) {
    const auto r = solver.solve(p.dtx.col(i), p.x_norm2(i), codes.col(i));
    if (results != nullptr) (*results)[static_cast<std::size_t>(i)] = r;
  }
  return codes;
}

/// Objective and duality gap of column i of `codes`.
template <class T>
solvers::Certificate<T> certificate(const Problem<T>& p, const Matrix<T>& codes, Index i, const Penalty& penalty) {
  Vector<T> grad(p.atoms());
  return solvers::certify<T>(p.cache.gram(), p.dtx.col(i), p.x_norm2(i), codes.col(i), penalty, grad);
}

/// Checks that an exact solver reaches the optimum on every column: termination `converged`,
/// KKT violations ≤ kkt_tol (relative), duality gap ≤ gap_tol·max(f(a), ‖x‖²) (the gap is
/// computed from ‖x‖² − 2cᵀa + aᵀGa, whose round-off scales with ‖x‖²).
template <class T>
void check_exact_solver(solvers::CodeSolver<T>& solver, const Problem<T>& p, const Penalty& penalty,
                        double kkt_tol, double gap_tol) {
  std::vector<solvers::SampleResult> results;
  const Matrix<T> codes = solve_all(solver, p, &results);
  for (Index i = 0; i < p.samples(); ++i) {
    CAPTURE(i);
    CHECK(results[static_cast<std::size_t>(i)].termination == solvers::SampleTermination::converged);
    const KktReport kkt = kkt_violation<T>(p.cache.gram(), p.dtx.col(i), codes.col(i), penalty);
    CAPTURE(kkt.on_support);
    CAPTURE(kkt.off_support);
    CHECK(kkt.worst() <= kkt_tol);
    const auto cert = certificate(p, codes, i, penalty);
    const double scale = std::max(static_cast<double>(cert.objective), static_cast<double>(p.x_norm2(i)));
    CHECK(static_cast<double>(cert.gap()) <= gap_tol * scale);
  }
}

/// Solver<float> agrees with Solver<double> on (dict, x): objectives within 1e-4 (relative) and,
/// when `compare_codes`, codes within 1e-4·max(1, ‖a‖) (unique minimisers only).
template <template <class> class Solver>
void check_float32_agrees(const Matrix<double>& dict, const Matrix<double>& x, const Penalty& pen,
                          bool compare_codes) {
  const Problem<double> pd(dict, x);
  const Problem<float> pf(dict, x);
  Solver<double> solver_d(pen);
  Solver<float> solver_f(pen);
  const Matrix<double> cd = solve_all<double>(solver_d, pd);
  const Matrix<double> cf = solve_all<float>(solver_f, pf).template cast<double>();
  for (Index i = 0; i < pd.samples(); ++i) {
    CAPTURE(i);
    const double fd = certificate(pd, cd, i, pen).objective;
    const double ff = certificate(pd, cf, i, pen).objective;
    CHECK(std::abs(ff - fd) <= 1e-4 * std::max(fd, 1e-12));
    if (compare_codes) CHECK((cf.col(i) - cd.col(i)).norm() <= 1e-4 * std::max(1.0, cd.col(i).norm()));
  }
}

/// Degenerate problems every exact solver must handle.
/// Atoms 15–19 repeat atoms 0–2, negate atom 3 and repeat atom 4 (d = 10, k = 20); the signals
/// are 4-sparse in the first 15 atoms.
inline Problem<double> duplicate_atoms_problem(std::uint64_t seed) {
  const Matrix<double> base = random_dictionary(10, 15, seed);
  Matrix<double> dict(10, 20);
  dict << base, base.leftCols(3), -base.col(3), base.col(4);
  return Problem<double>(dict, sparse_signals(base, 10, 4, 0.02, seed + 1));
}

/// d = 1: four atoms on a line (two equal), three signals including 0.
inline Problem<double> one_dimensional_problem() {
  const Matrix<double> dict = (Matrix<double>(1, 4) << 1.0, -0.5, 0.25, 1.0).finished();
  const Matrix<double> x = (Matrix<double>(1, 3) << 2.0, -0.3, 0.0).finished();
  return Problem<double>(dict, x);
}

}  // namespace sparsecode::test
