// Tests of ISTA/FISTA: KKT conditions, duality gaps, restart schemes, variants, batched mode, options.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"
#include "tests/lasso_test_support.hpp"

namespace sc = sparsecode;
using sc::solvers::Arithmetic;
using sc::solvers::FacePolishing;
using sc::solvers::internal::ProximalGradient;
using sc::solvers::ProximalGradientOptions;
using sc::solvers::ProximalMethod;
using sc::solvers::RestartScheme;
using sc::solvers::SampleResult;
using sc::solvers::SampleTermination;
using sc::solvers::ScreeningRule;
using namespace sc::test;

namespace {

// λ as a fraction of the largest ‖Dᵀx‖∞ over the columns.
double lambda_fraction(const Problem<double>& p, double fraction) {
  return fraction * p.dtx.cwiseAbs().maxCoeff();
}

ProximalGradientOptions tight(ProximalMethod method, RestartScheme restart) {
  ProximalGradientOptions o;
  o.method = method;
  o.restart = restart;
  o.tolerance = 1e-13;
  o.max_iterations = 200000;
  return o;
}

// Plain iterations, with face polishing, with gap-safe screening, and with both, each with the
// products in float until the gap nears the tolerance (mixed) and in double throughout: each must
// reach the optimum on its own (polishing alone would hide a broken proximal step).
void check_fista(const Problem<double>& p, const Penalty& penalty, const ProximalGradientOptions& options) {
  for (FacePolishing polishing : {FacePolishing::none, FacePolishing::stable_signs}) {
    for (ScreeningRule screening : {ScreeningRule::none, ScreeningRule::gap_safe}) {
      for (Arithmetic arithmetic : {Arithmetic::mixed, Arithmetic::full}) {
      CAPTURE(static_cast<int>(polishing));
      CAPTURE(static_cast<int>(screening));
      CAPTURE(static_cast<int>(arithmetic));
      ProximalGradientOptions o = options;
      o.polishing = polishing;
      o.screening = screening;
      o.arithmetic = arithmetic;
      ProximalGradient<double> solver(penalty, o);
      // The relative gap ≤ 1e-13 bounds the KKT residual by about √(1e-13) relative.
      check_exact_solver<double>(solver, p, penalty, 1e-5, 1e-12);
      }
    }
  }
}

}  // namespace

TEST_CASE("fista satisfies KKT on random problems with every restart scheme") {
  const Problem<double> p(random_dictionary(16, 32, 1), gaussian_matrix(16, 6, 2));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.2);
  for (RestartScheme restart : {RestartScheme::none, RestartScheme::gradient, RestartScheme::function}) {
    check_fista(p, penalty, tight(ProximalMethod::fista, restart));
  }
}

TEST_CASE("ista satisfies KKT on a random problem") {
  const Problem<double> p(random_dictionary(12, 20, 3), gaussian_matrix(12, 3, 4));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.3);
  check_fista(p, penalty, tight(ProximalMethod::ista, RestartScheme::none));
}

TEST_CASE("fista satisfies KKT on coherent dictionaries") {
  SUBCASE("smooth patch-like atoms") {
    const Matrix<double> dict = smooth_dictionary(4, 40, 6);
    const Problem<double> p(dict, sparse_signals(dict, 5, 4, 0.05, 5));
    Penalty penalty;
    penalty.lambda = lambda_fraction(p, 0.05);
    check_fista(p, penalty, tight(ProximalMethod::fista, RestartScheme::gradient));
  }
  SUBCASE("correlated atoms") {
    const Matrix<double> dict = coherent_dictionary(16, 40, 7, 0.9);
    const Problem<double> p(dict, sparse_signals(dict, 5, 4, 0.05, 8));
    Penalty penalty;
    penalty.lambda = lambda_fraction(p, 0.05);
    check_fista(p, penalty, tight(ProximalMethod::fista, RestartScheme::gradient));
  }
}

TEST_CASE("fista non-negative and elastic-net variants satisfy their KKT conditions") {
  const Problem<double> p(coherent_dictionary(16, 32, 8, 0.5), gaussian_matrix(16, 5, 9));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.1);
  RestartScheme restart = RestartScheme::gradient;
  SUBCASE("non-negative") { penalty.sign = CodeSign::nonnegative; }
  SUBCASE("elastic net") { penalty.lambda2 = 0.3; }
  SUBCASE("non-negative elastic net, function restart") {
    penalty.lambda2 = 0.3;
    penalty.sign = CodeSign::nonnegative;
    restart = RestartScheme::function;
  }
  check_fista(p, penalty, tight(ProximalMethod::fista, restart));
}

TEST_CASE("batched fista gives each column the result it has alone") {
  const Problem<double> p(coherent_dictionary(16, 32, 10, 0.5), gaussian_matrix(16, 21, 11));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.15);
  ProximalGradientOptions options = tight(ProximalMethod::fista, RestartScheme::gradient);
  options.tolerance = 1e-10;
  options.block_width = 8;  // 21 columns: chunks of 8, 8 and 5
  ProximalGradient<double> solver(penalty, options);
  solver.prepare(p.cache);
  Matrix<double> block = Matrix<double>::Zero(32, 21);
  std::vector<SampleResult> results(21);
  solver.solve_block(p.dtx, p.x_norm2, block, results.data());
  for (Index j = 0; j < p.samples(); ++j) {
    Vector<double> alone = Vector<double>::Zero(32);
    const SampleResult r = solver.solve(p.dtx.col(j), p.x_norm2(j), alone);
    CHECK(results[static_cast<std::size_t>(j)].termination == SampleTermination::converged);
    CHECK(results[static_cast<std::size_t>(j)].iterations == r.iterations);
    CHECK((block.col(j) - alone).cwiseAbs().maxCoeff() <= 1e-12);
  }
}

TEST_CASE("mixed-arithmetic fista stops on certificates computed in double") {
  // Tolerances above and far below float round-off: the stopping test must hold for the gap
  // computed from scratch in double, so the float products may not certify a column, and
  // below float accuracy the column must go on in double rather than stall.
  const auto dict = coherent_dictionary(24, 60, 81, 0.9);
  const Problem<double> p(dict, sparse_signals(dict, 40, 6, 0.05, 82));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.1);
  for (const double tolerance : {1e-4, 1e-9}) {
    for (FacePolishing polishing : {FacePolishing::none, FacePolishing::stable_signs}) {
      CAPTURE(tolerance);
      CAPTURE(static_cast<int>(polishing));
      ProximalGradientOptions o;
      o.tolerance = tolerance;
      o.polishing = polishing;
      o.arithmetic = Arithmetic::mixed;
      ProximalGradient<double> solver(penalty, o);
      std::vector<SampleResult> results;
      const auto codes = solve_all<double>(solver, p, &results);
      for (sc::core::Index i = 0; i < p.samples(); ++i) {
        CHECK(results[static_cast<std::size_t>(i)].termination == SampleTermination::converged);
        CHECK(certificate<double>(p, codes, i, penalty).relative_gap() <= tolerance);
      }
    }
  }
}

TEST_CASE("fista reports max_iterations when the cap is too small") {
  const Problem<double> p(coherent_dictionary(16, 40, 12, 0.9), gaussian_matrix(16, 1, 13));
  Penalty penalty;
  penalty.lambda = lambda_fraction(p, 0.01);
  ProximalGradientOptions options = tight(ProximalMethod::fista, RestartScheme::gradient);
  options.max_iterations = 3;
  ProximalGradient<double> solver(penalty, options);
  std::vector<SampleResult> results;
  solve_all<double>(solver, p, &results);
  CHECK(results[0].termination == SampleTermination::max_iterations);
  CHECK(results[0].iterations == 3);
}

TEST_CASE("proximal gradient options are validated, naming the field") {
  auto message = [](ProximalGradientOptions o) {
    try {
      o.validate();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ProximalGradientOptions o;
  o.tolerance = 0.0;
  CHECK(message(o).find("tolerance") != std::string::npos);
  o = {};
  o.max_iterations = 0;
  CHECK(message(o).find("max_iterations") != std::string::npos);
  o = {};
  o.check_every = -1;
  CHECK(message(o).find("check_every") != std::string::npos);
  o = {};
  o.block_width = 0;
  CHECK(message(o).find("block_width") != std::string::npos);
  Penalty bad;
  bad.lambda = -1.0;
  CHECK_THROWS_WITH_AS(ProximalGradient<double>(bad, ProximalGradientOptions{}), doctest::Contains("lambda"),
                       std::invalid_argument);
}
