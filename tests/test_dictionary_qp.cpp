// Tests for the dictionary-update QP solvers: KKT conditions, agreement, monotone BCD, bad inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/solvers/dictionary_lagrange_dual.hpp"

using namespace sparsecode::solvers;
using sparsecode::Index;
using sparsecode::Matrix;

namespace {

struct Qp {
  Matrix<double> a, b, d0;
};

// Statistics of a small coding problem: X = D* S + noise with sparse S; the start D0 is random
// with unit atoms. `unused` atoms get no code at all (zero row of S).
Qp make_qp(Index d, Index k, Index n, unsigned seed, Index unused = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unit;
  Matrix<double> s = Matrix<double>::Zero(k, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = unused; j < k; ++j)
      if (unit(rng) < 0.3) s(j, i) = normal(rng);
  Matrix<double> x(d, n);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = normal(rng);
  Qp qp;
  qp.a = s * s.transpose();
  qp.b = x * s.transpose();
  qp.d0.resize(d, k);
  for (Index i = 0; i < qp.d0.size(); ++i) qp.d0.data()[i] = normal(rng);
  qp.d0.colwise().normalize();
  return qp;
}

// Checks the KKT system of the ball-constrained QP directly: g_j + μ_j d_j = 0 with
// μ_j = −d_jᵀ g_j ≥ 0 for atoms on the sphere, g_j = 0 inside it.
void check_kkt(const Qp& qp, const Matrix<double>& d, double tol) {
  const Matrix<double> g = d * qp.a - qp.b;
  const double scale = qp.b.norm();
  for (Index j = 0; j < d.cols(); ++j) {
    if (qp.a(j, j) == 0.0) continue;
    const double norm = d.col(j).norm();
    CHECK(norm <= 1.0 + 1e-12);
    const double mu = -d.col(j).dot(g.col(j));
    if (norm < 1.0 - 1e-6) {
      CHECK(g.col(j).norm() <= tol * scale);
    } else {
      CHECK(mu >= -tol * scale);
      CHECK((g.col(j) + mu * d.col(j)).norm() <= tol * scale);
    }
  }
}

}  // namespace

TEST_CASE("dictionary QP: BCD and Lagrange dual satisfy KKT and agree") {
  for (unsigned seed : {1u, 2u, 3u}) {
    const Qp qp = make_qp(16, 24, 200, seed, 2);
    Matrix<double> d_bcd = qp.d0;
    DictionaryBcdOptions bo;
    bo.tolerance = 1e-13;
    bo.max_sweeps = 20000;
    const auto sb = update_dictionary_bcd(qp.a, qp.b, d_bcd, bo);
    Matrix<double> d_dual = qp.d0;
    const auto sd = update_dictionary_lagrange_dual(qp.a, qp.b, d_dual, LagrangeDualOptions{});
    CHECK(sb.termination == DictionaryTermination::converged);
    CHECK(sd.termination == DictionaryTermination::converged);
    CHECK(sb.unused_atoms == 2);
    CHECK(sd.unused_atoms == 2);
    CHECK(sd.kkt_residual <= 1e-7);
    CHECK(sb.kkt_residual <= 1e-7);
    check_kkt(qp, d_bcd, 1e-7);
    check_kkt(qp, d_dual, 1e-7);
    CHECK(std::abs(sb.objective - sd.objective) <= 1e-9 * std::abs(sd.objective));
    // The QP is strictly convex in the used atoms (A restricted to them is positive definite).
    CHECK((d_bcd.rightCols(22) - d_dual.rightCols(22)).norm() <= 1e-5);
    // Unused atoms are left as they were.
    CHECK(d_bcd.leftCols(2) == qp.d0.leftCols(2));
    CHECK(d_dual.leftCols(2) == qp.d0.leftCols(2));
  }
}

TEST_CASE("dictionary QP: BCD never increases the objective, sweep by sweep") {
  const Qp qp = make_qp(10, 15, 80, 7);
  Matrix<double> d = qp.d0;
  double previous = dictionary_objective(qp.a, qp.b, d);
  DictionaryBcdOptions one;
  one.max_sweeps = 1;
  for (int sweep = 0; sweep < 50; ++sweep) {
    const auto s = update_dictionary_bcd(qp.a, qp.b, d, one);
    CHECK(s.objective <= previous + 1e-12 * std::abs(previous));
    previous = s.objective;
  }
}

TEST_CASE("dictionary QP: non-negative BCD stays feasible and reaches its KKT point") {
  const Qp qp = make_qp(12, 10, 100, 11);
  Matrix<double> d = qp.d0.cwiseAbs();
  DictionaryBcdOptions bo;
  bo.constraint = DictionaryConstraint::nonnegative_unit_ball;
  bo.tolerance = 1e-13;
  bo.max_sweeps = 20000;
  const auto s = update_dictionary_bcd(qp.a, qp.b, d, bo);
  CHECK(d.minCoeff() >= 0.0);
  CHECK(d.colwise().norm().maxCoeff() <= 1.0 + 1e-12);
  CHECK(s.kkt_residual <= 1e-8);
  // A feasible perturbation cannot lower the objective at the optimum.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  for (int trial = 0; trial < 20; ++trial) {
    Matrix<double> e = d;
    for (Index i = 0; i < e.size(); ++i) e.data()[i] += 1e-3 * normal(rng);
    for (Index j = 0; j < e.cols(); ++j) project_atom<double>(e.col(j), bo.constraint);
    CHECK(dictionary_objective(qp.a, qp.b, e) >= s.objective - 1e-12);
  }
}

TEST_CASE("dictionary QP: bad shapes, NaN and bad options are rejected") {
  const Qp qp = make_qp(6, 4, 30, 3);
  Matrix<double> d = qp.d0;
  Matrix<double> bad_a = qp.a.topLeftCorner(3, 3);
  CHECK_THROWS_AS(update_dictionary_bcd(bad_a, qp.b, d, {}), std::invalid_argument);
  Matrix<double> nan_b = qp.b;
  nan_b(0, 0) = std::nan("");
  CHECK_THROWS_AS(update_dictionary_lagrange_dual(qp.a, nan_b, d, {}), std::invalid_argument);
  DictionaryBcdOptions bo;
  bo.max_sweeps = 0;
  CHECK_THROWS_WITH_AS(update_dictionary_bcd(qp.a, qp.b, d, bo),
                       doctest::Contains("max_sweeps"), std::invalid_argument);
  LagrangeDualOptions lo;
  lo.tolerance = -1;
  CHECK_THROWS_WITH_AS(update_dictionary_lagrange_dual(qp.a, qp.b, d, lo),
                       doctest::Contains("tolerance"), std::invalid_argument);
}
