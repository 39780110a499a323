// Tests of Gram-form coordinate descent: KKT, agreement with FISTA and LARS, variants, warm starts, options.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sparsecode/solvers/internal/coordinate_descent_solver.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"
#include "tests/lasso_test_support.hpp"

namespace sc = sparsecode;
using sc::solvers::internal::CoordinateDescent;
using sc::solvers::CoordinateDescentOptions;
using sc::solvers::SampleResult;
using sc::solvers::SampleTermination;
using namespace sc::test;

namespace {

CoordinateDescentOptions tight() {
  CoordinateDescentOptions o;
  // Tight, yet above the round-off floor of the gap on ill-conditioned dictionaries (~1e-13).
  o.tolerance = 1e-12;
  o.max_sweeps = 100000;
  return o;
}

// CD's KKT residual and gap, and agreement of its objective with FISTA's and LARS's to 1e-8.
void check_cd(const Problem<double>& p, const Penalty& penalty) {
  CoordinateDescent<double> cd(penalty, tight());
  check_exact_solver<double>(cd, p, penalty, 1e-6, 1e-11);
  const Matrix<double> a = solve_all<double>(cd, p);
  sc::solvers::ProximalGradientOptions po;
  po.tolerance = 1e-14;
  po.max_iterations = 500000;
  sc::solvers::internal::ProximalGradient<double> fista(penalty, po);
  const Matrix<double> b = solve_all<double>(fista, p);
  sc::solvers::internal::LarsLasso<double> lars(penalty, sc::solvers::LarsOptions{});
  const Matrix<double> c = solve_all<double>(lars, p);
  for (Index j = 0; j < p.samples(); ++j) {
    const double fa = certificate(p, a, j, penalty).objective;
    CHECK(std::abs(fa - certificate(p, b, j, penalty).objective) <= 1e-8 * fa);
    CHECK(std::abs(fa - certificate(p, c, j, penalty).objective) <= 1e-8 * fa);
  }
}

}  // namespace

TEST_CASE("coordinate descent satisfies KKT and agrees with FISTA and LARS on random problems") {
  const Problem<double> p(random_dictionary(16, 32, 21), gaussian_matrix(16, 6, 22));
  Penalty penalty;
  penalty.lambda = 0.15 * p.dtx.cwiseAbs().maxCoeff();
  check_cd(p, penalty);
}

TEST_CASE("coordinate descent satisfies KKT on coherent dictionaries") {
  SUBCASE("smooth patch-like atoms") {
    const Matrix<double> dict = smooth_dictionary(4, 40, 24);
    const Problem<double> p(dict, sparse_signals(dict, 5, 4, 0.05, 23));
    Penalty penalty;
    penalty.lambda = 0.05 * p.dtx.cwiseAbs().maxCoeff();
    check_cd(p, penalty);
  }
  SUBCASE("correlated atoms") {
    const Matrix<double> dict = coherent_dictionary(16, 40, 25, 0.9);
    const Problem<double> p(dict, sparse_signals(dict, 5, 4, 0.05, 26));
    Penalty penalty;
    penalty.lambda = 0.05 * p.dtx.cwiseAbs().maxCoeff();
    check_cd(p, penalty);
  }
}

TEST_CASE("coordinate descent non-negative and elastic-net variants") {
  const Problem<double> p(coherent_dictionary(16, 32, 26, 0.5), gaussian_matrix(16, 5, 27));
  Penalty penalty;
  penalty.lambda = 0.1 * p.dtx.cwiseAbs().maxCoeff();
  SUBCASE("non-negative") { penalty.sign = CodeSign::nonnegative; }
  SUBCASE("elastic net") { penalty.lambda2 = 0.3; }
  SUBCASE("non-negative elastic net") {
    penalty.lambda2 = 0.3;
    penalty.sign = CodeSign::nonnegative;
  }
  check_cd(p, penalty);
}

TEST_CASE("coordinate descent warm starts reach the same solution") {
  const Problem<double> p(coherent_dictionary(16, 32, 28, 0.5), gaussian_matrix(16, 4, 29));
  Penalty penalty;
  penalty.lambda = 0.1 * p.dtx.cwiseAbs().maxCoeff();
  CoordinateDescent<double> cd(penalty, tight());
  const Matrix<double> cold = solve_all<double>(cd, p);
  for (Index j = 0; j < p.samples(); ++j) {
    // From the solution itself: one sweep certifies it.
    Vector<double> a = cold.col(j);
    SampleResult r = cd.solve(p.dtx.col(j), p.x_norm2(j), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK(r.iterations == 1);
    CHECK((a - cold.col(j)).cwiseAbs().maxCoeff() <= 1e-9);
    // From a perturbed dense start.
    a = cold.col(j) + 0.1 * gaussian_matrix(32, 1, 30 + static_cast<std::uint64_t>(j)).col(0);
    r = cd.solve(p.dtx.col(j), p.x_norm2(j), a);
    CHECK(r.termination == SampleTermination::converged);
    CHECK((a - cold.col(j)).cwiseAbs().maxCoeff() <= 1e-5);
  }
}

TEST_CASE("coordinate descent handles duplicate atoms") {
  Matrix<double> dict = random_dictionary(10, 12, 31);
  dict.col(5) = dict.col(2);
  dict.col(9) = dict.col(2);
  const Problem<double> p(dict, gaussian_matrix(10, 4, 32));
  Penalty penalty;
  penalty.lambda = 0.1 * p.dtx.cwiseAbs().maxCoeff();
  check_cd(p, penalty);
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
