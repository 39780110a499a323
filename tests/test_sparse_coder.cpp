// Tests of SparseCoder: caller memory in and out, reuse, a new dictionary, solver options, warm starts, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sparsecode/solvers/solver_factory.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"
#include "tests/lasso_test_support.hpp"

namespace sc = sparsecode;
using sc::solvers::CoordinateDescentOptions;
using sc::solvers::FeatureSignOptions;
using sc::solvers::LarsOptions;
using sc::solvers::OmpOptions;
using sc::solvers::ProximalGradientOptions;
using sc::sparse::EncodeOptions;
using sc::sparse::EncodeSummary;
using sc::sparse::SparseCoder;
using namespace sc::test;

namespace {

const char* const kSolvers[] = {"lars", "cd", "fista", "ista", "fss", "omp"};

// Options of solver `name` with λ, tight enough that iterative solvers stop near the optimum.
EncodeOptions options_for(const std::string& name, double lambda) {
  EncodeOptions o;
  o.solver = sc::solvers::parse_solver(name);
  o.penalty.lambda = lambda;
  o.chunk_size = 8;  // several chunks on small problems
  if (auto* cd = std::get_if<CoordinateDescentOptions>(&o.solver)) cd->tolerance = 1e-12;
  if (auto* pg = std::get_if<ProximalGradientOptions>(&o.solver)) {
    pg->tolerance = name == "ista" ? 1e-10 : 1e-12;
    pg->max_iterations = 1000000;
  }
  if (auto* omp = std::get_if<OmpOptions>(&o.solver)) omp->max_atoms = 4;
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE_TEMPLATE("SparseCoder writes into caller memory through Eigen::Map, reading Mapped signals in place", T,
                   float, double) {
  const Matrix<double> dict = random_dictionary(10, 20, 71);
  const Matrix<double> x = gaussian_matrix(10, 30, 72);
  const Matrix<T> d_t = dict.cast<T>();
  std::vector<T> signal_buffer(10 * 30);
  Eigen::Map<Matrix<T>>(signal_buffer.data(), 10, 30) = x.cast<T>();
  for (const char* name : kSolvers) {
    CAPTURE(name);
    const EncodeOptions o = options_for(name, 0.2 * (dict.transpose() * x).cwiseAbs().maxCoeff());
    Matrix<T> expected;
    sc::sparse::encode<T>(d_t, x.cast<T>(), expected, o);

    // Codes into a NumPy-like buffer: the Map's memory is written, nothing else.
    std::vector<T> code_buffer(20 * 30 + 1, std::numeric_limits<T>::quiet_NaN());
    const T* before = code_buffer.data();
    Eigen::Map<Matrix<T>> codes(code_buffer.data(), 20, 30);
    SparseCoder<T> coder(o);
    coder.compute(Eigen::Map<const Matrix<T>>(d_t.data(), 10, 20));
    const EncodeSummary s = coder.encode(Eigen::Map<const Matrix<T>>(signal_buffer.data(), 10, 30), codes);
    CHECK(code_buffer.data() == before);
    CHECK(codes == expected);
    CHECK(std::isnan(code_buffer.back()));  // one past the k×N view: untouched
    CHECK(s.samples == 30);
    CHECK(s.solver == name);

    // Codes into a block of a larger matrix (outer stride ≠ k): the other columns keep their values.
    Matrix<T> wide = Matrix<T>::Constant(20, 34, T(7));
    coder.encode(x.cast<T>(), wide.middleCols(2, 30));
    CHECK(wide.middleCols(2, 30) == expected);
    CHECK((wide.leftCols(2).array() == T(7)).all());
    CHECK((wide.rightCols(2).array() == T(7)).all());

    // The resizing overload keeps a matrix of the right shape in place.
    Matrix<T> same(20, 30);
    const T* data = same.data();
    coder.encode(x.cast<T>(), same);
    CHECK(same.data() == data);
    CHECK(same == expected);
  }
}

TEST_CASE("SparseCoder agrees with a per-sample solve loop for every solver") {
  const Matrix<double> dict = coherent_dictionary(12, 24, 73, 0.5);
  const Matrix<double> x = gaussian_matrix(12, 40, 74);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  const Problem<double> p(dict, x);
  for (const char* name : kSolvers) {
    CAPTURE(name);
    const EncodeOptions o = options_for(name, lambda);
    Matrix<double> codes;
    SparseCoder<double>(o).compute(dict).encode(x, codes);
    const auto solver = sc::solvers::make_code_solver<double>(o.penalty, o.solver);
    const Matrix<double> loop = solve_all(*solver, p);
    // The same solver per sample; only DᵀX comes from a different product (round-off apart).
    CHECK((codes - loop).cwiseAbs().maxCoeff() <= 1e-6);
    for (Index i = 0; i < x.cols(); ++i) {
      const double f = certificate(p, codes, i, o.penalty).objective;
      const double f_loop = certificate(p, loop, i, o.penalty).objective;
      CHECK(std::abs(f - f_loop) <= 1e-9 * std::max(f_loop, 1e-12));
    }
  }
}

TEST_CASE("SparseCoder's summary scores every solver's codes as a direct evaluation of the objective does") {
  // OMP's objective and residual come from its support alone, the others' from the gradient.
  const Matrix<double> dict = coherent_dictionary(12, 24, 81, 0.5);
  const Matrix<double> x = gaussian_matrix(12, 40, 82);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  for (const char* name : kSolvers) {
    CAPTURE(name);
    EncodeOptions o = options_for(name, lambda);
    o.penalty.lambda2 = 0.05;
    Matrix<double> codes;
    const EncodeSummary s = SparseCoder<double>(o).compute(dict).encode(x, codes);
    double objective = 0.0, residual = 0.0, nonzeros = 0.0;
    for (Index i = 0; i < x.cols(); ++i) {
      const double r2 = (x.col(i) - dict * codes.col(i)).squaredNorm();
      objective += 0.5 * (r2 + 0.05 * codes.col(i).squaredNorm()) + lambda * codes.col(i).lpNorm<1>();
      residual += std::sqrt(r2 / x.col(i).squaredNorm());
      nonzeros += static_cast<double>((codes.col(i).array() != 0.0).count());
    }
    const double n = static_cast<double>(x.cols());
    CHECK(s.mean_objective == doctest::Approx(objective / n).epsilon(1e-10));
    CHECK(s.mean_relative_residual == doctest::Approx(residual / n).epsilon(1e-8));
    CHECK(s.mean_nonzeros == doctest::Approx(nonzeros / n).epsilon(1e-12));
  }
}

TEST_CASE("SparseCoder reused across calls gives the bits of a fresh coder, 1 and 2 threads agree") {
  const Matrix<double> dict = coherent_dictionary(16, 48, 75, 0.5);
  const Matrix<double> x1 = gaussian_matrix(16, 40, 76);
  const Matrix<double> x2 = gaussian_matrix(16, 70, 77);  // wider: the workspaces grow
  const double lambda = 0.1 * (dict.transpose() * x1).cwiseAbs().maxCoeff();
  for (const char* name : kSolvers) {
    CAPTURE(name);
    EncodeOptions o = options_for(name, lambda);
    Matrix<double> by_threads[2][2];
    for (int threads : {1, 2}) {
      o.threads = threads;
      SparseCoder<double> reused(o);
      reused.compute(dict);
      Matrix<double> first;
      Matrix<double> second;
      const EncodeSummary s1 = reused.encode(x1, first);
      const EncodeSummary s2 = reused.encode(x2, second);
      Matrix<double> fresh1;
      Matrix<double> fresh2;
      SparseCoder<double>(o).compute(dict).encode(x1, fresh1);
      const EncodeSummary f2 = SparseCoder<double>(o).compute(dict).encode(x2, fresh2);
      CHECK(first == fresh1);
      CHECK(second == fresh2);
      CHECK(s2.mean_objective == f2.mean_objective);
      CHECK(s2.max_duality_gap == f2.max_duality_gap);
      // And the free encode() is the same computation.
      Matrix<double> free_codes;
      const EncodeSummary free_summary = sc::sparse::encode(dict, x1, free_codes, o);
      CHECK(free_codes == first);
      CHECK(free_summary.mean_objective == s1.mean_objective);
      by_threads[threads - 1][0] = first;
      by_threads[threads - 1][1] = second;
    }
    CHECK(by_threads[0][0] == by_threads[1][0]);
    CHECK(by_threads[0][1] == by_threads[1][1]);
  }
}

TEST_CASE("SparseCoder::compute with another dictionary of the same size: the kept solver workspaces give a fresh coder's bits") {
  // The learners re-prepare one coder per mini-batch; solvers keep their factor storage when the
  // size is unchanged, so what a previous dictionary's solves left in it must not leak. The
  // solvers with such storage (the active-set Cholesky factor and Gram columns): LARS,
  // feature-sign and OMP.
  const Matrix<double> x = gaussian_matrix(16, 60, 83);
  for (const char* name : {"lars", "fss", "omp"}) {
    CAPTURE(name);
    const EncodeOptions o = options_for(name, 0.05);
    SparseCoder<double> coder(o);
    for (const std::uint64_t seed : {84, 85, 86}) {
      const Matrix<double> dict = coherent_dictionary(16, 48, seed, 0.5);
      coder.compute(dict);
      Matrix<double> kept;
      coder.encode(x, kept);
      Matrix<double> fresh;
      SparseCoder<double>(o).compute(dict).encode(x, fresh);
      CHECK(kept == fresh);
    }
  }
}

TEST_CASE("SparseCoder::compute with a second dictionary replaces the first") {
  const Matrix<double> d1 = random_dictionary(8, 12, 78);
  const Matrix<double> d2 = random_dictionary(8, 30, 79);
  const Matrix<double> x = gaussian_matrix(8, 25, 80);
  for (const char* name : {"lars", "cd", "fista", "omp"}) {
    CAPTURE(name);
    const EncodeOptions o = options_for(name, 0.1);
    SparseCoder<double> coder(o);
    CHECK_FALSE(coder.computed());
    CHECK(coder.atoms() == 0);
    coder.compute(d1);
    CHECK(coder.computed());
    CHECK(coder.atoms() == 12);
    CHECK(coder.dimension() == 8);
    Matrix<double> a1;
    coder.encode(x, a1);
    coder.compute(d2);
    CHECK(coder.atoms() == 30);
    Matrix<double> a2;
    coder.encode(x, a2);
    Matrix<double> expected;
    sc::sparse::encode(d2, x, expected, o);
    CHECK(a2.rows() == 30);
    CHECK(a2 == expected);
    // A rejected dictionary leaves the coder as it was.
    Matrix<double> bad = d1;
    bad(0, 4) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH_AS(coder.compute(bad), doctest::Contains("atom 4"), std::invalid_argument);
    CHECK(coder.atoms() == 30);
    Matrix<double> again;
    coder.encode(x, again);
    CHECK(again == a2);
  }
}

TEST_CASE("SparseCoder rejects misuse with a message naming the problem") {
  const Matrix<double> dict = random_dictionary(8, 12, 81);
  const Matrix<double> x = gaussian_matrix(8, 5, 82);
  SparseCoder<double> coder;
  Matrix<double> a;
  CHECK(error_of([&] { coder.encode(x, a); }).find("compute") != std::string::npos);
  CHECK(a.size() == 0);  // untouched
  Matrix<double> wrong(12, 5);
  CHECK(error_of([&] { coder.encode(x, Eigen::Ref<Matrix<double>>(wrong)); }).find("compute") !=
        std::string::npos);
  coder.compute(dict);
  Matrix<double> small(5, 3);
  const std::string shape = error_of([&] { coder.encode(x, small.leftCols(3)); });
  CHECK(shape.find("5x3") != std::string::npos);
  CHECK(shape.find("12x5") != std::string::npos);
  CHECK(error_of([&] { coder.encode(gaussian_matrix(7, 5, 83), a); }).find("dimension") != std::string::npos);
  Matrix<double> unnormalised = dict;
  unnormalised.col(2) *= 1.1;
  CHECK(error_of([&] { coder.compute(unnormalised); }).find("norm") != std::string::npos);
  CHECK(error_of([&] { coder.compute(Matrix<double>(8, 0)); }).find("empty") != std::string::npos);

  EncodeOptions o;
  o.threads = -1;
  CHECK(error_of([&] { SparseCoder<double>{o}; }).find("EncodeOptions.threads") != std::string::npos);
  o = EncodeOptions{};
  o.chunk_size = 0;
  CHECK(error_of([&] { SparseCoder<float>{o}; }).find("chunk_size") != std::string::npos);
  o = EncodeOptions{};
  o.penalty.lambda2 = -1;
  CHECK(error_of([&] { SparseCoder<double>{o}; }).find("lambda2") != std::string::npos);
}

TEST_CASE("SolverOptions: every alternative's settings are validated, naming the struct and field") {
  struct Case {
    sc::solvers::SolverOptions options;
    const char* field;
  };
  LarsOptions lars;
  lars.pivot_tolerance = 2.0;
  LarsOptions lars_kkt;
  lars_kkt.kkt_tolerance = 0.1;
  CoordinateDescentOptions cd;
  cd.max_sweeps = 0;
  ProximalGradientOptions pg;
  pg.check_every = 0;
  ProximalGradientOptions pg_width;
  pg_width.block_width = 0;
  FeatureSignOptions fss;
  fss.kkt_tolerance = -1.0;
  OmpOptions omp;
  omp.residual_tolerance = -1.0;
  const Case cases[] = {{lars, "LarsOptions.pivot_tolerance"},
                        {lars_kkt, "LarsOptions.kkt_tolerance"},
                        {cd, "CoordinateDescentOptions.max_sweeps"},
                        {pg, "ProximalGradientOptions.check_every"},
                        {pg_width, "ProximalGradientOptions.block_width"},
                        {fss, "FeatureSignOptions.kkt_tolerance"},
                        {omp, "OmpOptions.residual_tolerance"}};
  for (const Case& c : cases) {
    CAPTURE(c.field);
    CHECK_THROWS_WITH_AS(sc::solvers::validate(c.options), doctest::Contains(c.field), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sc::solvers::make_code_solver<double>({}, c.options), doctest::Contains(c.field),
                         std::invalid_argument);
    EncodeOptions o;
    o.solver = c.options;
    const std::string message = error_of([&] { SparseCoder<double>{o}; });
    CHECK(message.find("EncodeOptions.solver") != std::string::npos);
    CHECK(message.find(c.field) != std::string::npos);
  }
  for (const char* name : kSolvers) {
    CHECK(sc::solvers::solver_name(sc::solvers::parse_solver(name)) == name);
    CHECK_NOTHROW(sc::solvers::validate(sc::solvers::parse_solver(name)));
    CHECK(sc::solvers::make_code_solver<float>({}, sc::solvers::parse_solver(name))->name() == name);
  }
}

TEST_CASE("Warm starts: rejected for LARS and OMP, naming the solver, honoured by CD, FISTA, ISTA, FSS") {
  for (const char* name : {"lars", "omp"}) {
    CAPTURE(name);
    EncodeOptions o = options_for(name, 0.1);
    o.start = EncodeOptions::Start::warm;
    const std::string message = error_of([&] { SparseCoder<double>{o}; });
    CHECK(message.find(std::string("'") + name + "'") != std::string::npos);
    CHECK(message.find("warm") != std::string::npos);
    Matrix<double> a = Matrix<double>::Zero(12, 5);
    CHECK_THROWS_AS(sc::sparse::encode(random_dictionary(8, 12, 84), gaussian_matrix(8, 5, 85), a, o),
                    std::invalid_argument);
  }
  const Matrix<double> dict = coherent_dictionary(16, 32, 86, 0.5);
  const Matrix<double> x = gaussian_matrix(16, 10, 87);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  for (const char* name : {"cd", "fista", "ista", "fss"}) {
    CAPTURE(name);
    EncodeOptions o = options_for(name, lambda);
    Matrix<double> cold;
    SparseCoder<double> coder(o);
    const EncodeSummary from_zero = coder.compute(dict).encode(x, cold);
    // Started at the solution, a solver that uses the start stops at once.
    o.start = EncodeOptions::Start::warm;
    Matrix<double> warm = cold;
    const EncodeSummary from_solution = SparseCoder<double>(o).compute(dict).encode(x, warm);
    CHECK(from_solution.not_converged == 0);
    double cold_iterations = 0;
    double warm_iterations = 0;
    for (Index i = 0; i < x.cols(); ++i) {
      cold_iterations += from_zero.status[static_cast<std::size_t>(i)].iterations;
      warm_iterations += from_solution.status[static_cast<std::size_t>(i)].iterations;
    }
    CHECK(warm_iterations < cold_iterations);
    CHECK(std::abs(from_solution.mean_objective - from_zero.mean_objective) <= 1e-9 * from_zero.mean_objective);
  }
}

TEST_CASE("EncodeSummary::brief_report names the solver and every figure on two lines") {
  const Matrix<double> dict = random_dictionary(8, 12, 88);
  const Matrix<double> x = gaussian_matrix(8, 6, 89);
  Matrix<double> a;
  const EncodeSummary lasso = SparseCoder<double>(options_for("cd", 0.1)).compute(dict).encode(x, a);
  const std::string report = lasso.brief_report();
  CHECK(std::count(report.begin(), report.end(), '\n') == 1);
  for (const char* field : {"6 samples", "solver cd", "mean objective", "mean non-zeros", "mean relative residual",
                            "largest duality gap", "not converged 0", "seconds", "patches/s"}) {
    CHECK(report.find(field) != std::string::npos);
  }
  const EncodeSummary omp = SparseCoder<double>(options_for("omp", 0.1)).compute(dict).encode(x, a);
  CHECK(omp.brief_report().find("n/a (OMP)") != std::string::npos);
}

TEST_CASE("SparseCoder chunk visitor: every chunk once, in sample order, with its final codes, at 1, 2 and 4 threads") {
  const Matrix<double> dict = coherent_dictionary(16, 48, 87, 0.5);
  const Matrix<double> x = gaussian_matrix(16, 301, 88);  // 301 = 37 chunks of 8, the last one of 5
  EncodeOptions o = options_for("lars", 0.05);
  o.chunk_size = 8;
  Matrix<double> plain;
  SparseCoder<double>(o).compute(dict).encode(x, plain);
  for (const int threads : {1, 2, 4}) {
    CAPTURE(threads);
    o.threads = threads;
    SparseCoder<double> coder(o);
    coder.compute(dict);
    Matrix<double> codes;
    Matrix<double> seen(48, 301);  // each chunk's codes as the visitor saw them
    std::vector<std::pair<Index, Index>> visits;
    coder.encode(x, codes, [&](Index first, Index count) {
      visits.emplace_back(first, count);
      seen.middleCols(first, count) = codes.middleCols(first, count);
    });
    CHECK(codes == plain);
    CHECK(seen == plain);
    REQUIRE(visits.size() == 38);
    for (std::size_t c = 0; c < visits.size(); ++c) {
      CHECK(visits[c].first == static_cast<Index>(8 * c));
      CHECK(visits[c].second == (c + 1 < visits.size() ? 8 : 5));
    }
  }
}

TEST_CASE("SparseCoder chunk visitor: its exception ends encode(), and warm starts are refused") {
  const Matrix<double> dict = coherent_dictionary(16, 48, 89, 0.5);
  const Matrix<double> x = gaussian_matrix(16, 200, 90);
  EncodeOptions o = options_for("lars", 0.05);
  o.chunk_size = 16;
  for (const int threads : {1, 2}) {
    CAPTURE(threads);
    o.threads = threads;
    SparseCoder<double> coder(o);
    coder.compute(dict);
    Matrix<double> codes;
    int calls = 0;
    CHECK_THROWS_WITH_AS(coder.encode(x, codes,
                                      [&](Index first, Index) {
                                        ++calls;
                                        if (first == 48) throw std::runtime_error("visitor failed at 48");
                                      }),
                         "visitor failed at 48", std::runtime_error);
    CHECK(calls == 4);  // chunks 0, 16, 32, then the failing one; none after it
  }
  EncodeOptions warm_options = options_for("cd", 0.05);
  warm_options.start = EncodeOptions::Start::warm;
  SparseCoder<double> warm(warm_options);
  warm.compute(dict);
  Matrix<double> codes = Matrix<double>::Zero(48, 200);
  CHECK_THROWS_AS(warm.encode(x, codes, [](Index, Index) {}), std::invalid_argument);
}
