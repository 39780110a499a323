// Tests for the LARS-Lasso homotopy: exact KKT on random and coherent problems, variants, degenerate cases.
#include <doctest/doctest.h>

#include <stdexcept>

#include "solvers/lars.hpp"
#include "tests/lasso_test_support.hpp"

using namespace sparsecode;
using solvers::CodeSign;
using solvers::LarsLasso;
using solvers::LarsOptions;
using solvers::Penalty;
using solvers::SampleTermination;
using test::Problem;

namespace {

// λ as a fraction of the largest λ_max over the columns, so that supports are non-trivial.
double lambda_fraction(const Problem<double>& p, double fraction, CodeSign sign = CodeSign::any) {
  double largest = 0;
  for (sparse::Index i = 0; i < p.samples(); ++i) largest = std::max(largest, test::lambda_max(p.dtx.col(i), sign));
  return fraction * largest;
}

Penalty penalty(double lambda, double lambda2 = 0, CodeSign sign = CodeSign::any) {
  Penalty pen;
  pen.lambda = lambda;
  pen.lambda2 = lambda2;
  pen.sign = sign;
  return pen;
}

}  // namespace

TEST_CASE("LARS reaches exact KKT on random, coherent and smooth dictionaries") {
  const std::vector<sparse::Matrix<double>> dicts = {test::random_dictionary(20, 50, 1),
                                                     test::coherent_dictionary(20, 50, 2, 0.9),
                                                     test::coherent_dictionary(16, 40, 3, 3.0),
                                                     test::smooth_dictionary(5, 60, 4)};
  for (std::size_t t = 0; t < dicts.size(); ++t) {
    CAPTURE(t);
    const Problem<double> p(dicts[t], test::sparse_signals(dicts[t], 12, 5, 0.05, 10 + t));
    for (const double fraction : {0.5, 0.1, 0.01}) {
      CAPTURE(fraction);
      LarsLasso<double> lars(penalty(lambda_fraction(p, fraction)));
      test::check_exact_solver<double>(lars, p, penalty(lambda_fraction(p, fraction)), 1e-10, 1e-10);
    }
  }
}

TEST_CASE("LARS non-negative variant: a >= 0 and KKT of the constrained problem") {
  const auto dict = test::coherent_dictionary(16, 40, 21, 0.9);
  const Problem<double> p(dict, test::sparse_signals(dict, 12, 5, 0.05, 22));
  for (const double fraction : {0.3, 0.02}) {
    const Penalty pen = penalty(lambda_fraction(p, fraction, CodeSign::nonnegative), 0, CodeSign::nonnegative);
    LarsLasso<double> lars(pen);
    test::check_exact_solver<double>(lars, p, pen, 1e-10, 1e-10);
    const auto codes = test::solve_all<double>(lars, p);
    CHECK(codes.minCoeff() >= 0.0);
    if (fraction < 0.1) CHECK((codes.array() > 0).count() > p.samples());  // not trivially a = 0
  }
}

TEST_CASE("LARS elastic net: KKT with the ridge term") {
  const auto dict = test::smooth_dictionary(4, 30, 31);
  const Problem<double> p(dict, test::sparse_signals(dict, 10, 4, 0.05, 32));
  for (const CodeSign sign : {CodeSign::any, CodeSign::nonnegative}) {
    const Penalty pen = penalty(lambda_fraction(p, 0.05, sign), 0.3, sign);
    LarsLasso<double> lars(pen);
    test::check_exact_solver<double>(lars, p, pen, 1e-10, 1e-10);
  }
}

TEST_CASE("LARS degenerate cases: x = 0, lambda >= lambda_max, duplicate atoms, k > d, d = 1") {
  SUBCASE("x = 0 and lambda >= lambda_max give a = 0") {
    const auto dict = test::random_dictionary(8, 12, 41);
    sparse::Matrix<double> x = test::sparse_signals(dict, 3, 3, 0.0, 42);
    x.col(0).setZero();
    const Problem<double> p(dict, x);
    LarsLasso<double> zero_lambda(penalty(0.0));
    const auto codes0 = test::solve_all<double>(zero_lambda, p);
    CHECK(codes0.col(0).isZero(0.0));
    const double lmax = test::lambda_max(p.dtx.col(1), CodeSign::any);
    LarsLasso<double> at_max(penalty(lmax));
    sparse::Vector<double> a = sparse::Vector<double>::Constant(12, 1.0);  // warm start is ignored
    at_max.prepare(p.cache);
    const auto r = at_max.solve(p.dtx.col(1), p.x_norm2(1), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK(a.isZero(0.0));
    LarsLasso<double> below(penalty(0.999 * lmax));
    below.prepare(p.cache);
    below.solve(p.dtx.col(1), p.x_norm2(1), a);
    CHECK((a.array() != 0).count() == 1);
  }
  SUBCASE("duplicate and negated atoms") {
    auto base = test::random_dictionary(10, 15, 43);
    sparse::Matrix<double> dict(10, 20);
    dict << base, base.leftCols(3), -base.col(3), base.col(4);
    const Problem<double> p(dict, test::sparse_signals(base, 10, 4, 0.02, 44));
    for (const double fraction : {0.2, 0.01}) {
      const Penalty pen = penalty(lambda_fraction(p, fraction));
      LarsLasso<double> lars(pen);
      test::check_exact_solver<double>(lars, p, pen, 1e-9, 1e-10);
    }
  }
  SUBCASE("k > d down to lambda = 0") {
    const auto dict = test::random_dictionary(6, 25, 45);
    const Problem<double> p(dict, test::sparse_signals(dict, 10, 6, 0.1, 46));
    for (const double fraction : {0.05, 0.0}) {
      const Penalty pen = penalty(lambda_fraction(p, fraction));
      LarsLasso<double> lars(pen);
      test::check_exact_solver<double>(lars, p, pen, 1e-9, 1e-9);
      const auto codes = test::solve_all<double>(lars, p);
      for (sparse::Index i = 0; i < p.samples(); ++i) CHECK((codes.col(i).array() != 0).count() <= 6);
    }
  }
  SUBCASE("d = 1") {
    const sparse::Matrix<double> dict = (sparse::Matrix<double>(1, 4) << 1.0, -0.5, 0.25, 1.0).finished();
    const sparse::Matrix<double> x = (sparse::Matrix<double>(1, 3) << 2.0, -0.3, 0.0).finished();
    const Problem<double> p(dict, x);
    const Penalty pen = penalty(0.4);
    LarsLasso<double> lars(pen);
    test::check_exact_solver<double>(lars, p, pen, 1e-12, 1e-12);
  }
}

TEST_CASE("LARS float32 agrees with float64 to 1e-4") {
  const auto dict = test::smooth_dictionary(5, 50, 51);
  const auto x = test::sparse_signals(dict, 10, 5, 0.05, 52);
  const Problem<double> pd(dict, x);
  const Problem<float> pf(dict, x);
  const Penalty pen = penalty(lambda_fraction(pd, 0.1));
  LarsLasso<double> lars_d(pen);
  LarsLasso<float> lars_f(pen);
  const auto cd = test::solve_all<double>(lars_d, pd);
  const auto cf = test::solve_all<float>(lars_f, pf);
  for (sparse::Index i = 0; i < pd.samples(); ++i) {
    const double fd = test::certificate(pd, cd, i, pen).objective;
    const double ff = test::certificate(pd, sparse::Matrix<double>(cf.cast<double>()), i, pen).objective;
    CHECK(std::abs(ff - fd) <= 1e-4 * std::max(fd, 1e-12));
    CHECK((cf.col(i).cast<double>() - cd.col(i)).norm() <= 1e-4 * std::max(1.0, cd.col(i).norm()));
  }
}

TEST_CASE("LARS options: validation and the step limit") {
  LarsOptions bad;
  bad.max_steps = -1;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad = {};
  bad.pivot_tolerance = 0;
  CHECK_THROWS_AS(LarsLasso<double>(Penalty{}, bad), std::invalid_argument);
  CHECK_THROWS_AS(LarsLasso<double>(penalty(-1.0)), std::invalid_argument);

  const auto dict = test::random_dictionary(20, 40, 61);
  const Problem<double> p(dict, test::sparse_signals(dict, 4, 8, 0.1, 62));
  LarsOptions few;
  few.max_steps = 2;
  LarsLasso<double> lars(penalty(lambda_fraction(p, 0.01)), few);
  std::vector<solvers::SampleResult> results;
  const auto codes = test::solve_all<double>(lars, p, &results);
  for (sparse::Index i = 0; i < p.samples(); ++i) {
    CHECK(results[static_cast<std::size_t>(i)].termination == SampleTermination::max_iterations);
    CHECK(results[static_cast<std::size_t>(i)].iterations == 2);
    CHECK((codes.col(i).array() != 0).count() <= 2);
  }
  auto copy = lars.clone();
  CHECK(copy->name() == "lars");
}
