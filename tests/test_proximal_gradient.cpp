// Tests of ISTA/FISTA: KKT conditions, duality gaps, restart schemes, variants, batched mode, options.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "solvers/proximal_gradient.hpp"
#include "tests/lasso_problems.hpp"

namespace sc = sparsecode;
using sc::solvers::CodeSign;
using sc::solvers::Penalty;
using sc::solvers::ProximalGradient;
using sc::solvers::ProximalGradientOptions;
using sc::solvers::ProximalMethod;
using sc::solvers::RestartScheme;
using sc::solvers::SampleResult;
using sc::solvers::SampleTermination;
using sc::test::Matrix;
using sc::test::Vector;

namespace {

// Solves every column of X one by one and checks termination, gap and KKT.
void check_solver(const Matrix<double>& dict, const Matrix<double>& x, const Penalty& penalty,
                  const ProximalGradientOptions& options, double kkt_tolerance) {
  const sc::solvers::GramCache<double> cache(dict);
  ProximalGradient<double> solver(penalty, options);
  solver.prepare(cache);
  const Matrix<double> dtx = dict.transpose() * x;
  Vector<double> grad(dict.cols());
  for (sc::test::Index j = 0; j < x.cols(); ++j) {
    Vector<double> a = Vector<double>::Zero(dict.cols());
    const SampleResult r = solver.solve(dtx.col(j), x.col(j).squaredNorm(), a);
    CHECK(r.termination == SampleTermination::converged);
    const auto cert = sc::solvers::certify<double>(cache.gram(), dtx.col(j), x.col(j).squaredNorm(), a,
                                                   penalty, grad);
    CHECK(cert.gap() >= -1e-12);
    CHECK(cert.relative_gap() <= options.tolerance * 1.0001);
    CHECK(sc::test::kkt_violation(dict, x.col(j), a, penalty) <= kkt_tolerance * penalty.lambda);
    if (penalty.sign == CodeSign::nonnegative) CHECK(a.minCoeff() >= 0.0);
  }
}

ProximalGradientOptions tight(ProximalMethod method, RestartScheme restart) {
  ProximalGradientOptions o;
  o.method = method;
  o.restart = restart;
  o.tolerance = 1e-13;
  o.max_iterations = 200000;
  return o;
}

}  // namespace

TEST_CASE("fista satisfies KKT on random problems with every restart scheme") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 1);
  const Matrix<double> x = sc::test::gaussian(16, 6, 2);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.2);
  for (RestartScheme restart : {RestartScheme::none, RestartScheme::gradient, RestartScheme::function}) {
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, restart), 1e-4);
  }
}

TEST_CASE("ista satisfies KKT on a random problem") {
  const Matrix<double> dict = sc::test::random_dictionary(12, 20, 3);
  const Matrix<double> x = sc::test::gaussian(12, 3, 4);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.3);
  check_solver(dict, x, penalty, tight(ProximalMethod::ista, RestartScheme::none), 1e-4);
}

TEST_CASE("fista satisfies KKT on coherent dictionaries") {
  const Matrix<double> x = sc::test::smooth_patches(4, 5, 5);
  SUBCASE("normalised smooth patches") {
    const Matrix<double> dict = sc::test::patch_dictionary(4, 40, 6);
    Penalty penalty;
    penalty.lambda = sc::test::lambda_fraction(dict, x, 0.05);
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, RestartScheme::gradient), 1e-4);
  }
  SUBCASE("correlated atoms") {
    const Matrix<double> dict = sc::test::random_dictionary(16, 40, 7, 0.9);
    Penalty penalty;
    penalty.lambda = sc::test::lambda_fraction(dict, x, 0.05);
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, RestartScheme::gradient), 1e-4);
  }
}

TEST_CASE("fista non-negative and elastic-net variants satisfy their KKT conditions") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 8, 0.5);
  const Matrix<double> x = sc::test::gaussian(16, 5, 9);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.1);
  SUBCASE("non-negative") {
    penalty.sign = CodeSign::nonnegative;
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, RestartScheme::gradient), 1e-4);
  }
  SUBCASE("elastic net") {
    penalty.lambda2 = 0.3;
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, RestartScheme::gradient), 1e-4);
  }
  SUBCASE("non-negative elastic net") {
    penalty.lambda2 = 0.3;
    penalty.sign = CodeSign::nonnegative;
    check_solver(dict, x, penalty, tight(ProximalMethod::fista, RestartScheme::function), 1e-4);
  }
}

TEST_CASE("batched fista gives each column the result it has alone") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 32, 10, 0.5);
  const Matrix<double> x = sc::test::gaussian(16, 21, 11);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.15);
  ProximalGradientOptions options = tight(ProximalMethod::fista, RestartScheme::gradient);
  options.tolerance = 1e-10;
  options.block_width = 8;  // 21 columns: chunks of 8, 8 and 5
  const sc::solvers::GramCache<double> cache(dict);
  ProximalGradient<double> solver(penalty, options);
  solver.prepare(cache);
  const Matrix<double> dtx = dict.transpose() * x;
  const Vector<double> norms = x.colwise().squaredNorm().transpose();
  Matrix<double> block = Matrix<double>::Zero(32, 21);
  std::vector<SampleResult> results(21);
  solver.solve_block(dtx, norms, block, results.data());
  for (sc::test::Index j = 0; j < x.cols(); ++j) {
    Vector<double> alone = Vector<double>::Zero(32);
    const SampleResult r = solver.solve(dtx.col(j), norms(j), alone);
    CHECK(results[static_cast<std::size_t>(j)].termination == SampleTermination::converged);
    CHECK(results[static_cast<std::size_t>(j)].iterations == r.iterations);
    CHECK((block.col(j) - alone).cwiseAbs().maxCoeff() <= 1e-12);
  }
}

TEST_CASE("fista reports max_iterations when the cap is too small") {
  const Matrix<double> dict = sc::test::random_dictionary(16, 40, 12, 0.9);
  const Matrix<double> x = sc::test::gaussian(16, 1, 13);
  Penalty penalty;
  penalty.lambda = sc::test::lambda_fraction(dict, x, 0.01);
  ProximalGradientOptions options = tight(ProximalMethod::fista, RestartScheme::gradient);
  options.max_iterations = 3;
  const sc::solvers::GramCache<double> cache(dict);
  ProximalGradient<double> solver(penalty, options);
  solver.prepare(cache);
  Vector<double> a = Vector<double>::Zero(40);
  const SampleResult r = solver.solve(dict.transpose() * x.col(0), x.col(0).squaredNorm(), a);
  CHECK(r.termination == SampleTermination::max_iterations);
  CHECK(r.iterations == 3);
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
  CHECK_THROWS_AS(ProximalGradient<double>(bad, ProximalGradientOptions{}), std::invalid_argument);
}
