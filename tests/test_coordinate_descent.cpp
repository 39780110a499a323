// Tests of Gram-form coordinate descent: KKT, agreement with FISTA, variants, warm starts, duplicates, options.
#include <doctest/doctest.h>

#include <string>

#include "solvers/coordinate_descent.hpp"
#include "solvers/proximal_gradient.hpp"
#include "tests/lasso_problems.hpp"

namespace sc = sparsecode;
using sc::solvers::CodeSign;
using sc::solvers::CoordinateDescent;
using sc::solvers::CoordinateDescentOptions;
using sc::solvers::Penalty;
using sc::solvers::SampleResult;
using sc::solvers::SampleTermination;
using sc::test::Matrix;
using sc::test::Vector;

namespace {

CoordinateDescentOptions tight() {
  CoordinateDescentOptions o;
  o.tolerance = 1e-13;
  o.max_sweeps = 100000;
  return o;
}

// Codes of every column of X by `solver`, each checked for convergence.
template <class Solver>
Matrix<double> solve_all(Solver& solver, const Matrix<double>& dict, const Matrix<double>& x) {
  const sc::solvers::GramCache<double> cache(dict);
  solver.prepare(cache);
  const Matrix<double> dtx = dict.transpose() * x;
  Matrix<double> codes = Matrix<double>::Zero(dict.cols(), x.cols());
  for (sc::test::Index j = 0; j < x.cols(); ++j) {
    const SampleResult r = solver.solve(dtx.col(j), x.col(j).squaredNorm(), codes.col(j));
    CHECK(r.termination == SampleTermination::converged);
  }
  return codes;
}

void check_kkt_and_fista_agreement(const Matrix<double>& dict, const Matrix<double>& x,
                                   const Penalty& penalty) {
  CoordinateDescent<double> cd(penalty, tight());
  const Matrix<double> a = solve_all(cd, dict, x);
  sc::solvers::ProximalGradientOptions po;
  po.tolerance = 1e-13;
  po.max_iterations = 500000;
  sc::solvers::ProximalGradient<double> fista(penalty, po);
  const Matrix<double> b = solve_all(fista, dict, x);
  for (sc::test::Index j = 0; j < x.cols(); ++j) {
    CHECK(sc::test::kkt_violation(dict, x.col(j), a.col(j), penalty) <= 1e-5 * penalty.lambda);
    const double fa = sc::test::objective(dict, x.col(j), a.col(j), penalty);
    const double fb = sc::test::objective(dict, x.col(j), b.col(j), penalty);
    CHECK(std::abs(fa - fb) <= 1e-8 * fa);
    if (penalty.sign == CodeSign::nonnegative) CHECK(a.col(j).minCoeff() >= 0.0);
  }
}

}  // namespace

TEST_CASE("coordinate descent satisfies KKT and agrees with FISTA on random problems") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 21);
  const Matrix<double> x = sc::test::gaussian(16, 6, 22);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.15);
  check_kkt_and_fista_agreement(dict, x, penalty);
}

TEST_CASE("coordinate descent satisfies KKT on coherent dictionaries") {
  const Matrix<double> x = sc::test::smooth_patches(4, 5, 23);
  SUBCASE("normalised smooth patches") {
    const Matrix<double> dict = sc::test::patch_dictionary(4, 40, 24);
    Penalty penalty;
    penalty.lambda = sc::test::lambda_fraction(dict, x, 0.05);
    check_kkt_and_fista_agreement(dict, x, penalty);
  }
  SUBCASE("correlated atoms") {
    const Matrix<double> dict = sc::test::random_dictionary(16, 40, 25, 0.9);
    Penalty penalty;
    penalty.lambda = sc::test::lambda_fraction(dict, x, 0.05);
    check_kkt_and_fista_agreement(dict, x, penalty);
  }
}

TEST_CASE("coordinate descent non-negative and elastic-net variants") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 26, 0.5);
  const Matrix<double> x = sc::test::gaussian(16, 5, 27);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.1);
  SUBCASE("non-negative") { penalty.sign = CodeSign::nonnegative; }
  SUBCASE("elastic net") { penalty.lambda2 = 0.3; }
  SUBCASE("non-negative elastic net") {
    penalty.lambda2 = 0.3;
    penalty.sign = CodeSign::nonnegative;
  }
  check_kkt_and_fista_agreement(dict, x, penalty);
}

TEST_CASE("coordinate descent warm starts reach the same solution") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 28, 0.5);
  const Matrix<double> x = sc::test::gaussian(16, 4, 29);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.1);
  CoordinateDescent<double> cd(penalty, tight());
  const Matrix<double> cold = solve_all(cd, dict, x);
  const sc::solvers::GramCache<double> cache(dict);
  cd.prepare(cache);  // solve_all's cache is gone
  const Matrix<double> dtx = dict.transpose() * x;
  for (sc::test::Index j = 0; j < x.cols(); ++j) {
    // From the solution itself: one sweep certifies it.
    Vector<double> a = cold.col(j);
    SampleResult r = cd.solve(dtx.col(j), x.col(j).squaredNorm(), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK(r.iterations == 1);
    CHECK((a - cold.col(j)).cwiseAbs().maxCoeff() <= 1e-9);
    // From a perturbed dense start.
    a = cold.col(j) + 0.1 * sc::test::gaussian(32, 1, 30 + static_cast<std::uint64_t>(j)).col(0);
    r = cd.solve(dtx.col(j), x.col(j).squaredNorm(), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK((a - cold.col(j)).cwiseAbs().maxCoeff() <= 1e-5);
    const double f_cold = sc::test::objective(dict, x.col(j), cold.col(j), penalty);
    CHECK(std::abs(sc::test::objective(dict, x.col(j), a, penalty) - f_cold) <= 1e-10 * f_cold);
  }
}

TEST_CASE("coordinate descent handles duplicate atoms") {
  Matrix<double> dict = sc::test::random_dictionary(10, 12, 31);
  dict.col(5) = dict.col(2);
  dict.col(9) = dict.col(2);
  const Matrix<double> x = sc::test::gaussian(10, 4, 32);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.1);
  check_kkt_and_fista_agreement(dict, x, penalty);
}

TEST_CASE("coordinate descent options are validated, naming the field") {
  auto message = [](CoordinateDescentOptions o) {
    try {
      o.validate();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CoordinateDescentOptions o;
  o.tolerance = -1.0;
  CHECK(message(o).find("tolerance") != std::string::npos);
  o = {};
  o.max_sweeps = 0;
  CHECK(message(o).find("max_sweeps") != std::string::npos);
  Penalty bad;
  bad.lambda2 = -0.5;
  CHECK_THROWS_WITH_AS(CoordinateDescent<double>(bad, CoordinateDescentOptions{}),
                       doctest::Contains("lambda2"), std::invalid_argument);
}
