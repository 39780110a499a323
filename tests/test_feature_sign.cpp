// Tests for feature-sign search: exact KKT, agreement with LARS, variants, warm starts, degenerate cases.
#include <doctest/doctest.h>

#include <stdexcept>

#include "sparsecode/solvers/internal/feature_sign_solver.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "tests/lasso_test_support.hpp"

using namespace sparsecode;
using solvers::CodeSign;
using solvers::internal::FeatureSign;
using solvers::FeatureSignOptions;
using solvers::internal::LarsLasso;
using solvers::Penalty;
using solvers::SampleTermination;
using test::Problem;

namespace {

// FSS and LARS solve the same strictly convex (or at least same-optimum) problem.
void check_agrees_with_lars(const Problem<double>& p, const Penalty& pen) {
  FeatureSign<double> fss(pen);
  LarsLasso<double> lars(pen);
  const auto a = test::solve_all<double>(fss, p);
  const auto b = test::solve_all<double>(lars, p);
  for (core::Index i = 0; i < p.samples(); ++i) {
    const double fa = test::certificate(p, a, i, pen).objective;
    const double fb = test::certificate(p, b, i, pen).objective;
    CHECK(std::abs(fa - fb) <= 1e-8 * std::max({fa, fb, 1e-300}));
  }
}

}  // namespace

TEST_CASE("Feature-sign reaches exact KKT and agrees with LARS on random, coherent and smooth dictionaries") {
  const std::vector<core::Matrix<double>> dicts = {test::random_dictionary(20, 50, 101),
                                                     test::coherent_dictionary(20, 50, 102, 0.9),
                                                     test::coherent_dictionary(16, 40, 103, 3.0),
                                                     test::smooth_dictionary(5, 60, 104)};
  for (std::size_t t = 0; t < dicts.size(); ++t) {
    CAPTURE(t);
    const Problem<double> p(dicts[t], test::sparse_signals(dicts[t], 12, 5, 0.05, 110 + t));
    for (const double fraction : {0.5, 0.1, 0.01}) {
      CAPTURE(fraction);
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      FeatureSign<double> fss(pen);
      test::check_exact_solver<double>(fss, p, pen, 1e-10, 1e-10);
      check_agrees_with_lars(p, pen);
    }
  }
}

TEST_CASE("Feature-sign non-negative and elastic-net variants") {
  const auto dict = test::coherent_dictionary(16, 40, 121, 0.9);
  const Problem<double> p(dict, test::sparse_signals(dict, 12, 5, 0.05, 122));
  for (const double lambda2 : {0.0, 0.3}) {
    for (const CodeSign sign : {CodeSign::any, CodeSign::nonnegative}) {
      CAPTURE(lambda2);
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, 0.03, sign), lambda2, sign);
      FeatureSign<double> fss(pen);
      test::check_exact_solver<double>(fss, p, pen, 1e-10, 1e-10);
      check_agrees_with_lars(p, pen);
      if (sign == CodeSign::nonnegative) CHECK(test::solve_all<double>(fss, p).minCoeff() >= 0.0);
    }
  }
}

TEST_CASE("Feature-sign warm starts: from the solution, from a perturbed code, from a wrong-signed code") {
  const auto dict = test::smooth_dictionary(5, 50, 131);
  const Problem<double> p(dict, test::sparse_signals(dict, 8, 5, 0.05, 132));
  const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, 0.05));
  FeatureSign<double> fss(pen);
  const auto cold = test::solve_all<double>(fss, p);
  test::Normal normal(133);
  for (core::Index i = 0; i < p.samples(); ++i) {
    core::Vector<double> a = cold.col(i);
    auto r = fss.solve(p.dtx.col(i), p.x_norm2(i), a);
    CHECK(r.iterations == 1);  // one QP confirms the optimal active set
    CHECK((a - cold.col(i)).norm() <= 1e-10 * std::max(1.0, cold.col(i).norm()));
    for (core::Index j = 0; j < a.size(); ++j) a(j) = (j % 3 == 0) ? normal() : 0.0;
    r = fss.solve(p.dtx.col(i), p.x_norm2(i), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK(test::kkt_violation<double>(p.cache.gram(), p.dtx.col(i), a, pen).worst() <= 1e-10);
    a = -cold.col(i);
    r = fss.solve(p.dtx.col(i), p.x_norm2(i), a);
    CHECK(test::kkt_violation<double>(p.cache.gram(), p.dtx.col(i), a, pen).worst() <= 1e-10);
  }
}

TEST_CASE("Feature-sign degenerate cases: x = 0, lambda >= lambda_max, duplicate atoms, k > d, d = 1") {
  SUBCASE("x = 0 and lambda >= lambda_max give a = 0") {
    const auto dict = test::random_dictionary(8, 12, 141);
    core::Matrix<double> x = test::sparse_signals(dict, 2, 3, 0.0, 142);
    x.col(0).setZero();
    const Problem<double> p(dict, x);
    FeatureSign<double> fss(test::make_penalty(0.0));
    CHECK(test::solve_all<double>(fss, p).col(0).isZero(0.0));
    FeatureSign<double> at_max(test::make_penalty(test::lambda_max(p.dtx.col(1), CodeSign::any)));
    core::Vector<double> a = core::Vector<double>::Constant(12, 0.5);  // even from a non-zero start
    at_max.prepare(p.cache);
    CHECK(at_max.solve(p.dtx.col(1), p.x_norm2(1), a).termination == SampleTermination::converged);
    CHECK(a.isZero(0.0));
  }
  SUBCASE("duplicate and negated atoms") {
    const Problem<double> p = test::duplicate_atoms_problem(143);
    for (const double fraction : {0.2, 0.01}) {
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      FeatureSign<double> fss(pen);
      test::check_exact_solver<double>(fss, p, pen, 1e-9, 1e-10);
      check_agrees_with_lars(p, pen);
    }
  }
  SUBCASE("k > d, including lambda = 0") {
    const auto dict = test::random_dictionary(6, 25, 145);
    const Problem<double> p(dict, test::sparse_signals(dict, 10, 6, 0.1, 146));
    for (const double fraction : {0.05, 0.0}) {
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      FeatureSign<double> fss(pen);
      test::check_exact_solver<double>(fss, p, pen, 1e-9, 1e-9);
    }
  }
  SUBCASE("d = 1") {
    const Problem<double> p = test::one_dimensional_problem();
    const Penalty pen = test::make_penalty(0.4);
    FeatureSign<double> fss(pen);
    test::check_exact_solver<double>(fss, p, pen, 1e-12, 1e-12);
  }
}

TEST_CASE("Feature-sign float32 agrees with float64 to 1e-4, options are validated") {
  const auto dict = test::smooth_dictionary(5, 50, 151);
  const auto x = test::sparse_signals(dict, 10, 5, 0.05, 152);
  const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(Problem<double>(dict, x), 0.1));
  test::check_float32_agrees<FeatureSign>(dict, x, pen, false);
  FeatureSignOptions bad;
  bad.max_iterations = -3;
  CHECK_THROWS_AS(FeatureSign<double>(pen, bad), std::invalid_argument);
  bad = {};
  bad.kkt_tolerance = 2.0;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  CHECK(FeatureSign<double>(pen).clone()->name() == "fss");
}
