// Tests of FISTA's accelerators and kernels: gap-safe screening, face polishing, support compaction, column sums.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include <Eigen/Eigenvalues>

#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/solvers/face_polish.hpp"
#include "sparsecode/solvers/gap_safe_screening.hpp"
#include "sparsecode/solvers/internal/lars_lasso.hpp"
#include "sparsecode/solvers/internal/proximal_gradient_solver.hpp"
#include "tests/lasso_test_support.hpp"

namespace sc = sparsecode;
using sc::solvers::FacePolish;
using sc::solvers::FacePolishing;
using sc::solvers::internal::LarsLasso;
using sc::solvers::internal::ProximalGradient;
using sc::solvers::ProximalGradientOptions;
using sc::solvers::ScreeningRule;
using namespace sc::test;

namespace {

// The variants every accelerator must respect.
std::vector<Penalty> penalties(double lambda) {
  std::vector<Penalty> out(4);
  for (Penalty& p : out) p.lambda = lambda;
  out[1].sign = CodeSign::nonnegative;
  out[2].lambda2 = 0.2;
  out[3].lambda2 = 0.2;
  out[3].sign = CodeSign::nonnegative;
  return out;
}

// A coherent, patch-like problem where many atoms compete for each signal.
Problem<double> coherent_problem(std::uint64_t seed) {
  const Matrix<double> dict = coherent_dictionary(16, 48, seed, 0.8);
  return Problem<double>(dict, sparse_signals(dict, 6, 4, 0.05, seed + 1));
}

}  // namespace

TEST_CASE("gap-safe screening never drops an atom of the exact solution") {
  const Problem<double> p = coherent_problem(31);
  const Index k = p.atoms();
  Vector<double> norms(k);
  for (const Penalty& base : penalties(0.05 * p.dtx.cwiseAbs().maxCoeff())) {
    CAPTURE(base.lambda2);
    CAPTURE(static_cast<int>(base.sign));
    LarsLasso<double> lars(base);
    const Matrix<double> exact = solve_all<double>(lars, p);
    norms = (p.cache.gram().diagonal().array() + base.lambda2).sqrt();
    Index screened_somewhere = 0;
    // FISTA iterates at several stages, from far (3 steps) to close (200 steps) to the optimum.
    for (int steps : {3, 10, 30, 200}) {
      ProximalGradientOptions o;
      o.max_iterations = steps;
      o.tolerance = 1e-15;
      o.polishing = FacePolishing::none;
      ProximalGradient<double> fista(base, o);
      const Matrix<double> iterate = solve_all<double>(fista, p);
      for (Index i = 0; i < p.samples(); ++i) {
        Vector<double> grad(k);
        const auto cert = sc::solvers::certify<double>(p.cache.gram(), p.dtx.col(i), p.x_norm2(i),
                                                       iterate.col(i), base, grad);
        std::vector<Index> kept(static_cast<std::size_t>(k));
        const Index n = sc::solvers::gap_safe_survivors<double>(grad, cert, norms, base, kept.data());
        std::vector<char> is_kept(static_cast<std::size_t>(k), 0);
        for (Index q = 0; q < n; ++q) {
          if (q > 0) CHECK(kept[static_cast<std::size_t>(q)] > kept[static_cast<std::size_t>(q - 1)]);
          is_kept[static_cast<std::size_t>(kept[static_cast<std::size_t>(q)])] = 1;
        }
        for (Index j = 0; j < k; ++j) {
          if (exact(j, i) != 0.0) CHECK(is_kept[static_cast<std::size_t>(j)] == 1);
        }
        screened_somewhere += k - n;
      }
    }
    CHECK(screened_somewhere > 0);  // the test is not vacuous: atoms do get dropped
  }
}

TEST_CASE("without a dual point (lambda = 0) screening keeps every atom") {
  const Problem<double> p = coherent_problem(41);
  Penalty penalty;
  penalty.lambda = 0.0;
  Vector<double> grad(p.atoms());
  const Vector<double> zero = Vector<double>::Zero(p.atoms());
  const auto cert = sc::solvers::certify<double>(p.cache.gram(), p.dtx.col(0), p.x_norm2(0), zero, penalty, grad);
  std::vector<Index> kept(static_cast<std::size_t>(p.atoms()));
  const Vector<double> norms = Vector<double>::Ones(p.atoms());
  CHECK(sc::solvers::gap_safe_survivors<double>(grad, cert, norms, penalty, kept.data()) == p.atoms());
}

TEST_CASE("the eigenvalue bound of a Gram block is an upper bound") {
  const Matrix<double> dict = coherent_dictionary(12, 30, 51, 0.7);
  const Matrix<double> g = dict.transpose() * dict;
  const double top = Eigen::SelfAdjointEigenSolver<Matrix<double>>(g).eigenvalues().maxCoeff();
  const double bound = sc::solvers::principal_eigenvalue_bound(g.data(), g.rows());
  CHECK(bound >= top * (1 - 1e-12));
  CHECK(bound <= g.cwiseAbs().colwise().sum().maxCoeff() * (1 + 1e-12));
}

TEST_CASE("face polishing returns the exact minimiser on the solution's face and rejects a wrong face") {
  const Problem<double> p = coherent_problem(61);
  const Index k = p.atoms();
  for (const Penalty& penalty : penalties(0.05 * p.dtx.cwiseAbs().maxCoeff())) {
    CAPTURE(penalty.lambda2);
    CAPTURE(static_cast<int>(penalty.sign));
    LarsLasso<double> lars(penalty);
    const Matrix<double> exact = solve_all<double>(lars, p);
    FacePolish<double> polish;
    polish.reserve(k);
    Index polished = 0;
    for (Index i = 0; i < p.samples(); ++i) {
      if ((exact.col(i).array() != 0.0).count() < 2) continue;
      // Same support and signs, wrong values: polishing recovers the minimiser.
      Vector<double> a = exact.col(i).array() * (1.0 + 0.3 * Vector<double>::LinSpaced(k, 0.0, 1.0).array());
      Vector<double> ga = Vector<double>::Zero(k);
      REQUIRE(polish.improve(p.cache.gram().data(), k, p.dtx.col(i).data(), p.x_norm2(i), penalty, 1e-12,
                             a.data(), ga.data()));
      CHECK((a - exact.col(i)).cwiseAbs().maxCoeff() <= 1e-9 * std::max(1.0, exact.col(i).cwiseAbs().maxCoeff()));
      CHECK((ga - p.cache.gram() * a).cwiseAbs().maxCoeff() <= 1e-12);
      ++polished;
      // One atom of the support missing: the face's minimiser is not certified, a is unchanged.
      Vector<double> wrong = exact.col(i);
      Index drop = 0;
      while (wrong(drop) == 0.0) ++drop;
      wrong(drop) = 0.0;
      const Vector<double> before = wrong;
      ga.setZero();
      CHECK_FALSE(polish.improve(p.cache.gram().data(), k, p.dtx.col(i).data(), p.x_norm2(i), penalty, 1e-12,
                                 wrong.data(), ga.data()));
      CHECK(wrong == before);
      CHECK(ga.isZero());
    }
    CHECK(polished > 0);
  }
}

TEST_CASE("the sign signature tells sign patterns apart and ignores magnitudes") {
  Vector<double> a = Vector<double>::Zero(37);
  a(3) = 1.0;
  a(20) = -2.0;
  Vector<double> b = a * 3.0;
  CHECK(sc::solvers::sign_signature(a.data(), 37) == sc::solvers::sign_signature(b.data(), 37));
  b(20) = 2.0;  // a sign flip
  CHECK(sc::solvers::sign_signature(a.data(), 37) != sc::solvers::sign_signature(b.data(), 37));
  b = a;
  b(36) = 0.5;  // one more atom
  CHECK(sc::solvers::sign_signature(a.data(), 37) != sc::solvers::sign_signature(b.data(), 37));
}

TEST_CASE_TEMPLATE("compact_support lists the non-zeros in order", T, float, double) {
  Normal normal(71);
  for (Index n : {0, 1, 7, 8, 9, 16, 37, 256}) {
    CAPTURE(n);
    Vector<T> a(n);
    for (Index j = 0; j < n; ++j) a(j) = normal.uniform() < 0.3 ? static_cast<T>(normal()) : T(0);
    std::vector<Index> support(static_cast<std::size_t>(n) + 1);
    Vector<T> values(n + 1);
    const Index m = sc::core::internal::compact_support(a.data(), n, support.data(), values.data());
    Index expect = 0;
    for (Index j = 0; j < n; ++j) {
      if (a(j) == T(0)) continue;
      REQUIRE(expect < m);
      CHECK(support[static_cast<std::size_t>(expect)] == j);
      CHECK(values(expect) == a(j));
      ++expect;
    }
    CHECK(m == expect);
  }
}

TEST_CASE_TEMPLATE("compact_support writes below n and at most its slack past the count", T, float, double) {
  // The npz writer packs codes back to back with only compact_support_slack entries to spare, and
  // other callers pass buffers of exactly n: a write outside either bound would corrupt a
  // neighbour's entries. Sentinels after the bound must survive (dense, sparse and empty codes).
  const Index slack = sc::core::internal::compact_support_slack;
  Normal normal(72);
  for (double density : {0.0, 0.05, 0.3, 1.0}) {
    for (Index n : {0, 1, 7, 8, 9, 16, 37, 256}) {
      CAPTURE(density);
      CAPTURE(n);
      Vector<T> a(n);
      for (Index j = 0; j < n; ++j) a(j) = normal.uniform() < density ? static_cast<T>(normal()) + T(3) : T(0);
      const Index nonzeros = (a.array() != T(0)).count();
      const Index room = n + slack;
      std::vector<Index> support(static_cast<std::size_t>(room), -7);
      std::vector<T> values(static_cast<std::size_t>(room), T(-7));
      const Index m = sc::core::internal::compact_support(a.data(), n, support.data(), values.data());
      REQUIRE(m == nonzeros);
      for (Index j = std::min(n, m + slack); j < room; ++j) {
        CAPTURE(j);
        CHECK(support[static_cast<std::size_t>(j)] == -7);
        CHECK(values[static_cast<std::size_t>(j)] == T(-7));
      }
    }
  }
}

TEST_CASE("weighted_column_sum equals the dense product over the listed columns") {
  const Matrix<double> g = gaussian_matrix(45, 20, 81);  // 45 rows: one full block of 32 and a tail
  const std::vector<Index> columns = {2, 5, 6, 11, 19};
  const Vector<double> w = gaussian_matrix(5, 1, 82).col(0);
  Vector<double> expect = Vector<double>::Zero(45);
  for (std::size_t i = 0; i < columns.size(); ++i) expect += w(static_cast<Index>(i)) * g.col(columns[i]);
  Vector<double> out = Vector<double>::Constant(45, 7.0);
  sc::solvers::internal::weighted_column_sum(g.data(), g.rows(), columns.data(), w.data(), 5, 45, out.data(),
                                   sc::solvers::internal::AssignSum{});
  CHECK((out - expect).cwiseAbs().maxCoeff() <= 1e-13);
  Vector<double> rest = Vector<double>::Constant(45, 7.0);
  sc::solvers::internal::weighted_column_sum(g.data(), g.rows(), columns.data(), w.data(), 5, 45, rest.data(),
                                   sc::solvers::internal::SubtractSum{});
  CHECK((rest - (Vector<double>::Constant(45, 7.0) - expect)).cwiseAbs().maxCoeff() <= 1e-13);
}

TEST_CASE("fista with polishing and screening reaches tolerance on natural-patch-like problems and agrees with lars") {
  const Matrix<double> dict = smooth_dictionary(6, 90, 91);
  const Problem<double> p(dict, sparse_signals(dict, 12, 5, 0.05, 92));
  for (const Penalty& penalty : penalties(0.03 * p.dtx.cwiseAbs().maxCoeff())) {
    LarsLasso<double> lars(penalty);
    const Matrix<double> exact = solve_all<double>(lars, p);
    for (ScreeningRule screening : {ScreeningRule::none, ScreeningRule::gap_safe}) {
      ProximalGradientOptions o;
      o.tolerance = 1e-9;
      o.screening = screening;
      ProximalGradient<double> fista(penalty, o);
      std::vector<sc::solvers::SampleResult> results;
      const Matrix<double> codes = solve_all<double>(fista, p, &results);
      for (Index i = 0; i < p.samples(); ++i) {
        CHECK(results[static_cast<std::size_t>(i)].termination == sc::solvers::SampleTermination::converged);
        const double f = certificate(p, codes, i, penalty).objective;
        const double f_exact = certificate(p, exact, i, penalty).objective;
        CHECK(certificate(p, codes, i, penalty).relative_gap() <= 1e-9);
        CHECK(f - f_exact <= 1e-9 * f_exact + 1e-12);
      }
    }
  }
}
