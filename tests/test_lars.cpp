// Tests for the LARS-Lasso homotopy: exact KKT on random and coherent problems, variants, degenerate cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "tests/lasso_test_support.hpp"

using namespace sparsecode;
using solvers::CodeSign;
using solvers::internal::LarsLasso;
using solvers::Arithmetic;
using solvers::LarsOptions;
using solvers::Penalty;
using solvers::SampleTermination;
using test::Problem;

namespace {

// Every double-precision test runs both path arithmetics: the default (float path, checked
// by the KKT conditions in double) and double throughout.
std::vector<LarsOptions> arithmetics() {
  LarsOptions mixed;
  LarsOptions full;
  full.arithmetic = Arithmetic::full;
  return {mixed, full};
}

// LARS under both arithmetics meets the exactness checks of check_exact_solver.
void check_exact_both(const Problem<double>& p, const Penalty& pen, double kkt_tol, double objective_tol) {
  for (const LarsOptions& o : arithmetics()) {
    LarsLasso<double> lars(pen, o);
    test::check_exact_solver<double>(lars, p, pen, kkt_tol, objective_tol);
  }
}

}  // namespace

TEST_CASE("LARS reaches exact KKT on random, coherent and smooth dictionaries") {
  const std::vector<core::Matrix<double>> dicts = {test::random_dictionary(20, 50, 1),
                                                     test::coherent_dictionary(20, 50, 2, 0.9),
                                                     test::coherent_dictionary(16, 40, 3, 3.0),
                                                     test::smooth_dictionary(5, 60, 4)};
  for (std::size_t t = 0; t < dicts.size(); ++t) {
    CAPTURE(t);
    const Problem<double> p(dicts[t], test::sparse_signals(dicts[t], 12, 5, 0.05, 10 + t));
    for (const double fraction : {0.5, 0.1, 0.01}) {
      CAPTURE(fraction);
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      check_exact_both(p, pen, 1e-10, 1e-10);
    }
  }
}

TEST_CASE("LARS non-negative variant: a >= 0 and KKT of the constrained problem") {
  const auto dict = test::coherent_dictionary(16, 40, 21, 0.9);
  const Problem<double> p(dict, test::sparse_signals(dict, 12, 5, 0.05, 22));
  for (const double fraction : {0.3, 0.02}) {
    const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction, CodeSign::nonnegative), 0, CodeSign::nonnegative);
    for (const LarsOptions& o : arithmetics()) {
      LarsLasso<double> lars(pen, o);
      test::check_exact_solver<double>(lars, p, pen, 1e-10, 1e-10);
      const auto codes = test::solve_all<double>(lars, p);
      CHECK(codes.minCoeff() >= 0.0);
      if (fraction < 0.1) CHECK((codes.array() > 0).count() > p.samples());  // not trivially a = 0
    }
  }
}

TEST_CASE("LARS elastic net: KKT with the ridge term") {
  const auto dict = test::smooth_dictionary(4, 30, 31);
  const Problem<double> p(dict, test::sparse_signals(dict, 10, 4, 0.05, 32));
  for (const CodeSign sign : {CodeSign::any, CodeSign::nonnegative}) {
    const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, 0.05, sign), 0.3, sign);
    check_exact_both(p, pen, 1e-10, 1e-10);
  }
}

TEST_CASE("LARS degenerate cases: x = 0, lambda >= lambda_max, duplicate atoms, k > d, d = 1") {
  SUBCASE("x = 0 and lambda >= lambda_max give a = 0") {
    const auto dict = test::random_dictionary(8, 12, 41);
    core::Matrix<double> x = test::sparse_signals(dict, 3, 3, 0.0, 42);
    x.col(0).setZero();
    const Problem<double> p(dict, x);
    LarsLasso<double> zero_lambda(test::make_penalty(0.0));
    const auto codes0 = test::solve_all<double>(zero_lambda, p);
    CHECK(codes0.col(0).isZero(0.0));
    const double lmax = test::lambda_max(p.dtx.col(1), CodeSign::any);
    LarsLasso<double> at_max(test::make_penalty(lmax));
    core::Vector<double> a = core::Vector<double>::Constant(12, 1.0);  // warm start is ignored
    at_max.prepare(p.cache);
    const auto r = at_max.solve(p.dtx.col(1), p.x_norm2(1), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK(a.isZero(0.0));
    LarsLasso<double> below(test::make_penalty(0.999 * lmax));
    below.prepare(p.cache);
    below.solve(p.dtx.col(1), p.x_norm2(1), a);
    CHECK((a.array() != 0).count() == 1);
  }
  SUBCASE("duplicate and negated atoms") {
    const Problem<double> p = test::duplicate_atoms_problem(43);
    for (const double fraction : {0.2, 0.01}) {
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      check_exact_both(p, pen, 1e-9, 1e-10);
    }
  }
  SUBCASE("k > d down to lambda = 0") {
    const auto dict = test::random_dictionary(6, 25, 45);
    const Problem<double> p(dict, test::sparse_signals(dict, 10, 6, 0.1, 46));
    for (const double fraction : {0.05, 0.0}) {
      const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, fraction));
      for (const LarsOptions& o : arithmetics()) {
        LarsLasso<double> lars(pen, o);
        test::check_exact_solver<double>(lars, p, pen, 1e-9, 1e-9);
        const auto codes = test::solve_all<double>(lars, p);
        for (core::Index i = 0; i < p.samples(); ++i) CHECK((codes.col(i).array() != 0).count() <= 6);
      }
    }
  }
  SUBCASE("d = 1") {
    const Problem<double> p = test::one_dimensional_problem();
    const Penalty pen = test::make_penalty(0.4);
    check_exact_both(p, pen, 1e-12, 1e-12);
  }
}

TEST_CASE("LARS mixed arithmetic: a sample failing the KKT check is re-solved by the double path") {
  // A KKT tolerance no round-off can meet sends every sample through the fallback, whose codes
  // must then be bit-for-bit those of the double path.
  const auto dict = test::coherent_dictionary(16, 40, 61, 0.9);
  const Problem<double> p(dict, test::sparse_signals(dict, 12, 5, 0.05, 62));
  const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(p, 0.05));
  LarsOptions always_fails;
  always_fails.kkt_tolerance = 1e-300;
  LarsOptions full;
  full.arithmetic = Arithmetic::full;
  LarsLasso<double> mixed_lars(pen, always_fails);
  LarsLasso<double> full_lars(pen, full);
  const auto mixed_codes = test::solve_all<double>(mixed_lars, p);
  const auto full_codes = test::solve_all<double>(full_lars, p);
  CHECK((mixed_codes.array() == full_codes.array()).all());
  CHECK((full_codes.array() != 0).count() > p.samples());  // not trivially a = 0
  // With the default tolerance the float path's results stand and agree to round-off.
  LarsLasso<double> default_lars(pen);
  const auto default_codes = test::solve_all<double>(default_lars, p);
  CHECK((default_codes - full_codes).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, full_codes.cwiseAbs().maxCoeff()));
}

TEST_CASE("LARS float32 agrees with float64 to 1e-4") {
  const auto dict = test::smooth_dictionary(5, 50, 51);
  const auto x = test::sparse_signals(dict, 10, 5, 0.05, 52);
  const Penalty pen = test::make_penalty(test::fraction_of_lambda_max(Problem<double>(dict, x), 0.1));
  test::check_float32_agrees<LarsLasso>(dict, x, pen, true);
}

TEST_CASE("LARS options: validation and the step limit") {
  LarsOptions bad;
  bad.max_steps = -1;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad = {};
  bad.pivot_tolerance = 0;
  CHECK_THROWS_AS(LarsLasso<double>(Penalty{}, bad), std::invalid_argument);
  LarsOptions bad_kkt;
  bad_kkt.kkt_tolerance = 1e-3;
  CHECK_THROWS_AS(LarsLasso<double>(Penalty{}, bad_kkt), std::invalid_argument);
  bad_kkt.kkt_tolerance = 0;
  CHECK_THROWS_AS(LarsLasso<double>(Penalty{}, bad_kkt), std::invalid_argument);
  CHECK_THROWS_AS(LarsLasso<double>(test::make_penalty(-1.0)), std::invalid_argument);

  const auto dict = test::random_dictionary(20, 40, 61);
  const Problem<double> p(dict, test::sparse_signals(dict, 4, 8, 0.1, 62));
  LarsOptions few;
  few.max_steps = 2;
  LarsLasso<double> lars(test::make_penalty(test::fraction_of_lambda_max(p, 0.01)), few);
  std::vector<solvers::SampleResult> results;
  const auto codes = test::solve_all<double>(lars, p, &results);
  for (core::Index i = 0; i < p.samples(); ++i) {
    CHECK(results[static_cast<std::size_t>(i)].termination == SampleTermination::max_iterations);
    CHECK(results[static_cast<std::size_t>(i)].iterations == 2);
    CHECK((codes.col(i).array() != 0).count() <= 2);
  }
  auto copy = lars.clone();
  CHECK(copy->name() == "lars");
}
