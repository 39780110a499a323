// Tests for the optimality certificate: least squares (λ = λ₂ = 0) by stationarity, valid dual bounds for the elastic net.
#include <doctest/doctest.h>

#include <Eigen/Cholesky>

#include "sparsecode/solvers/code_solver.hpp"
#include "sparsecode/solvers/internal/coordinate_descent_solver.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"
#include "tests/lasso_test_support.hpp"

namespace sv = sparsecode::solvers;
namespace test = sparsecode::test;
using sparsecode::Index;
using sparsecode::Matrix;
using sparsecode::Vector;

namespace {

// f(a) = ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖², evaluated directly in double.
double objective(const Matrix<double>& d, const Vector<double>& x, const Vector<double>& a, const sv::Penalty& p) {
  return 0.5 * (x - d * a).squaredNorm() + p.lambda * a.lpNorm<1>() + 0.5 * p.lambda2 * a.squaredNorm();
}

// Tall, full-column-rank problem: least squares has a unique solution.
struct TallProblem {
  Matrix<double> d = test::random_dictionary(20, 8, 41);
  Matrix<double> x = test::gaussian_matrix(20, 3, 42);
  test::Problem<double> p{d, x};
};

}  // namespace

TEST_CASE("certificate: least squares (lambda = 0) is certified by stationarity") {
  const TallProblem t;
  const sv::Penalty ls{0.0, 0.0, sv::CodeSign::any};
  const Matrix<double>& g = t.p.cache.gram();
  for (Index i = 0; i < t.x.cols(); ++i) {
    const Vector<double> exact = g.ldlt().solve(t.p.dtx.col(i));
    Vector<double> grad(8);
    const auto at_optimum = sv::certify<double>(g, t.p.dtx.col(i), t.p.x_norm2(i), exact, ls, grad);
    CHECK(at_optimum.kind == sv::CertificateKind::stationarity);
    CHECK(at_optimum.relative_gap() <= 1e-12);
    Vector<double> off = exact;
    off(0) += 0.1;
    const auto away = sv::certify<double>(g, t.p.dtx.col(i), t.p.x_norm2(i), off, ls, grad);
    CHECK(away.relative_gap() > 1e-3);
    // The stationarity is the relative KKT violation computed independently by the test support.
    CHECK(away.stationarity == doctest::Approx(test::kkt_violation<double>(g, t.p.dtx.col(i), off, ls).worst()).epsilon(1e-12));
  }
}

TEST_CASE("certificate: iterative solvers converge at lambda = 0 instead of running out of iterations") {
  const TallProblem t;
  const sv::Penalty ls{0.0, 0.0, sv::CodeSign::any};
  sv::internal::CoordinateDescent<double> cd(ls, {});
  sv::ProximalGradientOptions fo;
  sv::internal::ProximalGradient<double> fista(ls, fo);
  for (sv::CodeSolver<double>* solver : {static_cast<sv::CodeSolver<double>*>(&cd), static_cast<sv::CodeSolver<double>*>(&fista)}) {
    CAPTURE(solver->name());
    std::vector<sv::SampleResult> results;
    const Matrix<double> codes = test::solve_all(*solver, t.p, &results);
    for (Index i = 0; i < t.x.cols(); ++i) {
      CHECK(results[static_cast<std::size_t>(i)].termination == sv::SampleTermination::converged);
      const Vector<double> exact = t.p.cache.gram().ldlt().solve(t.p.dtx.col(i));
      CHECK((codes.col(i) - exact).norm() <= 1e-4 * exact.norm());
    }
  }
}

TEST_CASE("certificate: the dual bound never exceeds the optimum (elastic net, with and without L1)") {
  const TallProblem t;
  test::Normal normal(7);
  for (const sv::Penalty pen : {sv::Penalty{0.0, 0.5, sv::CodeSign::any}, sv::Penalty{0.3, 0.5, sv::CodeSign::any},
                                sv::Penalty{0.3, 0.5, sv::CodeSign::nonnegative}}) {
    CAPTURE(pen.lambda);
    sv::internal::LarsLasso<double> lars(pen);
    const Matrix<double> best = test::solve_all(lars, t.p);
    for (Index i = 0; i < t.x.cols(); ++i) {
      const double f_star = objective(t.d, t.x.col(i), best.col(i), pen);
      Vector<double> grad(8);
      const auto at_optimum = sv::certify<double>(t.p.cache.gram(), t.p.dtx.col(i), t.p.x_norm2(i), best.col(i), pen, grad);
      CHECK(at_optimum.kind == sv::CertificateKind::duality_gap);
      CHECK(at_optimum.gap() <= 1e-10 * std::max(1.0, f_star));
      for (int trial = 0; trial < 20; ++trial) {
        Vector<double> a = best.col(i);
        for (Index j = 0; j < a.size(); ++j) a(j) += 0.2 * normal();
        if (pen.sign == sv::CodeSign::nonnegative) a = a.cwiseMax(0.0);
        const auto c = sv::certify<double>(t.p.cache.gram(), t.p.dtx.col(i), t.p.x_norm2(i), a, pen, grad);
        CHECK(c.objective == doctest::Approx(objective(t.d, t.x.col(i), a, pen)).epsilon(1e-10));
        CHECK(c.dual <= f_star + 1e-10);
        CHECK(c.gap() >= c.objective - f_star - 1e-10);
      }
    }
  }
}

TEST_CASE("GramCache: G in float is computed once and shared, for float it is G itself") {
  const auto dict = sparsecode::test::random_dictionary(10, 25, 91);
  const sparsecode::solvers::GramCache<double> cache(dict);
  const auto& first = cache.gram_float();
  CHECK(&first == &cache.gram_float());
  CHECK(first == cache.gram().cast<float>());
  const sparsecode::solvers::GramCache<float> cache_f(dict.cast<float>());
  CHECK(&cache_f.gram_float() == &cache_f.gram());
}
