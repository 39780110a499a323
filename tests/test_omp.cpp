// Tests for Batch-OMP: residual tolerance and sparsity target, least-squares optimality, recovery, degenerate cases.
#include <doctest/doctest.h>

#include <stdexcept>

#include "sparsecode/solvers/internal/batch_omp.hpp"
#include "tests/lasso_test_support.hpp"

using namespace sparsecode;
using solvers::internal::BatchOmp;
using solvers::OmpOptions;
using solvers::SampleTermination;
using test::Problem;

namespace {

OmpOptions omp_options(int atoms, double tolerance = 0.0) {
  OmpOptions o;
  o.max_atoms = atoms;
  o.residual_tolerance = tolerance;
  return o;
}

double residual2(const Problem<double>& p, const core::Matrix<double>& codes, core::Index i) {
  return (p.signals.col(i) - p.dictionary * codes.col(i)).squaredNorm();
}

// The coefficients on the support are the least-squares fit: Dᵢᵀ(x − Da) = 0.
double support_correlation(const Problem<double>& p, const core::Matrix<double>& codes, core::Index i) {
  const core::Vector<double> corr = p.dictionary.transpose() * (p.signals.col(i) - p.dictionary * codes.col(i));
  double worst = 0;
  for (core::Index j = 0; j < corr.size(); ++j)
    if (codes(j, i) != 0) worst = std::max(worst, std::abs(corr(j)));
  return worst / std::max(1e-300, p.dtx.col(i).cwiseAbs().maxCoeff());
}

}  // namespace

TEST_CASE("OMP honours the sparsity target and fits the support by least squares") {
  for (const auto& dict : {test::random_dictionary(20, 50, 201), test::smooth_dictionary(5, 60, 202)}) {
    const Problem<double> p(dict, test::sparse_signals(dict, 10, 8, 0.1, 203));
    for (const int target : {1, 4, 10}) {
      CAPTURE(target);
      BatchOmp<double> omp(omp_options(target));
      std::vector<solvers::SampleResult> results;
      const auto codes = test::solve_all<double>(omp, p, &results);
      for (core::Index i = 0; i < p.samples(); ++i) {
        CHECK(results[static_cast<std::size_t>(i)].termination == SampleTermination::target_reached);
        const auto nnz = (codes.col(i).array() != 0).count();
        CHECK(nnz == target);  // full-rank dictionaries with k ≥ target: exactly the target
        CHECK(results[static_cast<std::size_t>(i)].iterations == nnz);
        CHECK(support_correlation(p, codes, i) <= 1e-10);
      }
    }
  }
}

TEST_CASE("OMP residual tolerance: met with the fewest greedy atoms") {
  const auto dict = test::coherent_dictionary(16, 40, 211, 0.9);
  const Problem<double> p(dict, test::sparse_signals(dict, 10, 6, 0.05, 212));
  for (core::Index i = 0; i < p.samples(); ++i) {
    const double eps = 0.05 * p.x_norm2(i);
    BatchOmp<double> omp(omp_options(0, eps));
    omp.prepare(p.cache);
    core::Matrix<double> codes = core::Matrix<double>::Zero(40, 1);
    const auto r = omp.solve(p.dtx.col(i), p.x_norm2(i), codes.col(0));
    core::Matrix<double> full = core::Matrix<double>::Zero(40, p.samples());
    full.col(i) = codes.col(0);
    CHECK(residual2(p, full, i) <= eps * (1 + 1e-10));
    REQUIRE(r.iterations >= 1);
    // OMP is greedy, so the run with one atom fewer is a prefix of this one: its residual,
    // computed directly, must still be above ε (otherwise the tracked residual was wrong).
    core::Vector<double> a = core::Vector<double>::Zero(40);  // zero atoms: a = 0
    if (r.iterations > 1) {
      BatchOmp<double> shorter(omp_options(r.iterations - 1));
      shorter.prepare(p.cache);
      shorter.solve(p.dtx.col(i), p.x_norm2(i), a);
    }
    full.col(i) = a;
    CHECK(residual2(p, full, i) > eps);
  }
}

TEST_CASE("OMP recovers a planted 3-sparse code on an incoherent dictionary") {
  const auto dict = test::random_dictionary(64, 128, 221);
  core::Matrix<double> planted = core::Matrix<double>::Zero(128, 5);
  test::Normal normal(222);
  for (core::Index i = 0; i < 5; ++i)
    for (const core::Index j : {(7 * i + 3) % 128, (31 * i + 50) % 128, (13 * i + 90) % 128})
      planted(j, i) = (normal.uniform() < 0.5 ? -1.0 : 1.0) * (1.0 + normal.uniform());
  const Problem<double> p(dict, dict * planted);
  for (const auto& options : {omp_options(3), omp_options(0, 1e-20)}) {
    BatchOmp<double> omp(options);
    const auto codes = test::solve_all<double>(omp, p);
    CHECK((codes - planted).cwiseAbs().maxCoeff() <= 1e-10);
  }
}

TEST_CASE("OMP degenerate cases: x = 0, duplicate atoms, k > d, d = 1") {
  SUBCASE("x = 0") {
    const auto dict = test::random_dictionary(8, 12, 231);
    const Problem<double> p(dict, core::Matrix<double>::Zero(8, 2));
    BatchOmp<double> omp(omp_options(3));
    std::vector<solvers::SampleResult> results;
    CHECK(test::solve_all<double>(omp, p, &results).isZero(0.0));
    CHECK(results[0].iterations == 0);
  }
  SUBCASE("duplicate atoms are never selected twice") {
    auto base = test::random_dictionary(10, 15, 232);
    core::Matrix<double> dict(10, 20);
    dict << base, base.leftCols(4), -base.col(4);
    const Problem<double> p(dict, test::sparse_signals(base, 10, 4, 0.0, 233));
    BatchOmp<double> omp(omp_options(8));
    const auto codes = test::solve_all<double>(omp, p);
    CHECK(codes.allFinite());
    for (core::Index i = 0; i < p.samples(); ++i) {
      for (core::Index j = 0; j < 4; ++j) CHECK((codes(j, i) == 0 || codes(15 + j, i) == 0));
      CHECK((codes(4, i) == 0 || codes(19, i) == 0));
      CHECK(support_correlation(p, codes, i) <= 1e-9);
    }
  }
  SUBCASE("k > d with no target: at most d atoms and a zero residual") {
    const auto dict = test::random_dictionary(6, 25, 234);
    const Problem<double> p(dict, test::sparse_signals(dict, 5, 6, 0.3, 235));
    BatchOmp<double> omp;
    const auto codes = test::solve_all<double>(omp, p);
    for (core::Index i = 0; i < p.samples(); ++i) {
      CHECK((codes.col(i).array() != 0).count() <= 6);
      CHECK(residual2(p, codes, i) <= 1e-18 * std::max(1.0, p.x_norm2(i)) + 1e-20);
    }
  }
  SUBCASE("d = 1") {
    const core::Matrix<double> dict = (core::Matrix<double>(1, 3) << 0.5, -1.0, 0.25).finished();
    const core::Matrix<double> x = (core::Matrix<double>(1, 2) << 2.0, -0.3).finished();
    const Problem<double> p(dict, x);
    BatchOmp<double> omp;
    const auto codes = test::solve_all<double>(omp, p);
    for (core::Index i = 0; i < 2; ++i) {
      CHECK((codes.col(i).array() != 0).count() == 1);
      CHECK(codes(1, i) == doctest::Approx(-x(0, i)));
    }
  }
}

TEST_CASE("OMP float32 agrees with float64 to 1e-4, options are validated") {
  const auto dict = test::random_dictionary(20, 50, 241);
  const auto x = test::sparse_signals(dict, 10, 5, 0.05, 242);
  const Problem<double> pd(dict, x);
  const Problem<float> pf(dict, x);
  BatchOmp<double> od(omp_options(5));
  BatchOmp<float> of(omp_options(5));
  const auto cd = test::solve_all<double>(od, pd);
  const auto cf = test::solve_all<float>(of, pf);
  for (core::Index i = 0; i < pd.samples(); ++i) {
    CHECK((cf.col(i).cast<double>() - cd.col(i)).norm() <= 1e-4 * std::max(1.0, cd.col(i).norm()));
  }
  CHECK_THROWS_AS(BatchOmp<double>(omp_options(-1)), std::invalid_argument);
  CHECK_THROWS_AS(omp_options(0, -1.0).validate(), std::invalid_argument);
  CHECK(od.clone()->name() == "omp");
}
