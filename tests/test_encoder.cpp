// Tests of the encode() driver: agreement of all solvers, degenerate cases, threads, float32, warm starts, validation.
#include <doctest/doctest.h>

#include <Eigen/QR>

#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "sparsecode/sparse/encoder.hpp"
#include "tests/lasso_test_support.hpp"

namespace sc = sparsecode;
using sc::sparse::EncodeOptions;
using sc::sparse::EncodeSummary;
using sc::solvers::CoordinateDescentOptions;
using sc::solvers::OmpOptions;
using sc::solvers::ProximalGradientOptions;
using namespace sc::test;

namespace {

const std::string kLasso[] = {"lars", "cd", "fista", "ista", "fss"};

// The relative duality gap of the iterative solvers (CD, FISTA, ISTA); the others are exact.
void set_tolerance(EncodeOptions& o, double tolerance) {
  if (auto* cd = std::get_if<CoordinateDescentOptions>(&o.solver)) cd->tolerance = tolerance;
  if (auto* pg = std::get_if<ProximalGradientOptions>(&o.solver)) pg->tolerance = tolerance;
}

EncodeOptions tight(const std::string& kind, double lambda) {
  EncodeOptions o;
  o.solver = sc::solvers::parse_solver(kind);
  o.penalty.lambda = lambda;
  // ISTA converges slowly; 1e-10 still certifies the 1e-8 agreement asserted below.
  set_tolerance(o, kind == "ista" ? 1e-10 : 1e-12);
  if (kind == "ista") std::get<ProximalGradientOptions>(o.solver).max_iterations = 1000000;
  return o;
}

// Objective of every column, computed directly from the residual (not in Gram form).
Vector<double> objectives(const Matrix<double>& d, const Matrix<double>& x, const Matrix<double>& a,
                          const Penalty& penalty) {
  Vector<double> f(x.cols());
  for (Index j = 0; j < x.cols(); ++j) {
    f(j) = 0.5 * (x.col(j) - d * a.col(j)).squaredNorm() + penalty.lambda * a.col(j).lpNorm<1>() +
           0.5 * penalty.lambda2 * a.col(j).squaredNorm();
  }
  return f;
}

std::string error_of(const Matrix<double>& d, const Matrix<double>& x, const EncodeOptions& o) {
  Matrix<double> a;
  try {
    sc::sparse::encode(d, x, a, o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("encode: every LASSO solver reaches the same objective and KKT on patch-like data") {
  const Matrix<double> dict = smooth_dictionary(5, 40, 41);
  const Matrix<double> x = sparse_signals(dict, 12, 4, 0.05, 42);
  const double lambda = 0.05 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  Matrix<double> reference;
  const EncodeSummary ref = sc::sparse::encode(dict, x, reference, tight("lars", lambda));
  const Vector<double> f_ref = objectives(dict, x, reference, tight("lars", lambda).penalty);
  for (const std::string& kind : kLasso) {
    CAPTURE(kind);
    const EncodeOptions o = tight(kind, lambda);
    Matrix<double> a;
    const EncodeSummary s = sc::sparse::encode(dict, x, a, o);
    CHECK(s.not_converged == 0);
    CHECK(s.status.size() == 12);
    CHECK(s.max_relative_gap <= 1e-10);
    CHECK(std::abs(s.mean_objective - ref.mean_objective) <= 1e-8 * ref.mean_objective);
    const Vector<double> f = objectives(dict, x, a, o.penalty);
    CHECK(((f - f_ref).array().abs() / f_ref.array()).maxCoeff() <= 1e-8);
    // The summary's means, recomputed from the codes.
    CHECK(std::abs(s.mean_objective - f.mean()) <= 1e-10 * f.mean());
    double relative_residual = 0.0;
    for (Index j = 0; j < x.cols(); ++j) relative_residual += (x.col(j) - dict * a.col(j)).norm() / x.col(j).norm();
    CHECK(std::abs(s.mean_relative_residual - relative_residual / static_cast<double>(x.cols())) <= 1e-8);
    const Problem<double> p(dict, x);
    for (Index j = 0; j < x.cols(); ++j) {
      CHECK(kkt_violation<double>(p.cache.gram(), p.dtx.col(j), a.col(j), o.penalty).worst() <= 1e-5);
    }
  }
}

TEST_CASE("encode: degenerate problems") {
  for (const std::string& kind : kLasso) {
    CAPTURE(kind);
    SUBCASE("x = 0 gives a = 0") {
      const Matrix<double> dict = random_dictionary(8, 12, 43);
      Matrix<double> x = gaussian_matrix(8, 3, 44);
      x.col(1).setZero();
      Matrix<double> a;
      sc::sparse::encode(dict, x, a, tight(kind, 0.1));
      CHECK(a.col(1).cwiseAbs().maxCoeff() == 0.0);
    }
    SUBCASE("lambda >= ||D^T x||_inf gives a = 0") {
      const Matrix<double> dict = random_dictionary(8, 12, 45);
      const Matrix<double> x = gaussian_matrix(8, 4, 46);
      Matrix<double> a;
      const EncodeSummary s =
          sc::sparse::encode(dict, x, a, tight(kind, (dict.transpose() * x).cwiseAbs().maxCoeff()));
      CHECK(a.cwiseAbs().maxCoeff() == 0.0);
      CHECK(s.mean_nonzeros == 0.0);
    }
    SUBCASE("k > d, d = 1, N = 1, duplicate atoms") {
      for (const auto& [d, k] : {std::pair<Index, Index>{6, 30}, {1, 3}, {5, 5}}) {
        Matrix<double> dict = random_dictionary(d, k, 47);
        if (k == 5) dict.col(4) = dict.col(1);
        const Matrix<double> x = gaussian_matrix(d, 1, 48);
        const EncodeOptions o = tight(kind, 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff());
        Matrix<double> a;
        const EncodeSummary s = sc::sparse::encode(dict, x, a, o);
        CHECK(a.rows() == k);
        CHECK(a.cols() == 1);
        CHECK(s.not_converged == 0);
        const Problem<double> p(dict, x);
        CHECK(kkt_violation<double>(p.cache.gram(), p.dtx.col(0), a.col(0), o.penalty).worst() <= 1e-5);
      }
    }
  }
}

TEST_CASE("encode: 1 and 2 threads give identical codes for every solver") {
  const Matrix<double> dict = coherent_dictionary(16, 48, 49, 0.5);
  const Matrix<double> x = gaussian_matrix(16, 40, 50);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  for (const std::string kind : {"lars", "cd", "fista", "ista", "fss", "omp"}) {
    CAPTURE(kind);
    EncodeOptions o = tight(kind, lambda);
    set_tolerance(o, kind == "ista" ? 1e-4 : 1e-6);
    if (kind == "ista") std::get<ProximalGradientOptions>(o.solver).max_iterations = ProximalGradientOptions{}.max_iterations;
    if (kind == "omp") std::get<OmpOptions>(o.solver).max_atoms = 5;
    o.chunk_size = 8;
    Matrix<double> one;
    Matrix<double> two;
    o.threads = 1;
    const EncodeSummary s1 = sc::sparse::encode(dict, x, one, o);
    o.threads = 2;
    const EncodeSummary s2 = sc::sparse::encode(dict, x, two, o);
    CHECK(one == two);
    CHECK(s1.mean_objective == s2.mean_objective);
    CHECK(s1.max_duality_gap == s2.max_duality_gap);
  }
}

TEST_CASE("encode: float32 agrees with float64 within 1e-4") {
  const Matrix<double> dict = smooth_dictionary(4, 24, 51);
  const Matrix<double> x = sparse_signals(dict, 20, 3, 0.05, 52);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  for (const std::string& kind : kLasso) {
    CAPTURE(kind);
    EncodeOptions o = tight(kind, lambda);
    set_tolerance(o, 1e-7);
    Matrix<double> a64;
    const EncodeSummary s64 = sc::sparse::encode(dict, x, a64, o);
    Matrix<float> a32;
    const EncodeSummary s32 =
        sc::sparse::encode<float>(dict.cast<float>(), x.cast<float>(), a32, o);
    CHECK(std::abs(s32.mean_objective - s64.mean_objective) <= 1e-4 * s64.mean_objective);
    const Vector<double> f64 = objectives(dict, x, a64, o.penalty);
    const Vector<double> f32 = objectives(dict, x, a32.cast<double>(), o.penalty);
    CHECK(((f32 - f64).array().abs() / f64.array()).maxCoeff() <= 1e-4);
  }
}

TEST_CASE("encode: warm starts give the same solution") {
  const Matrix<double> dict = coherent_dictionary(16, 32, 53, 0.5);
  const Matrix<double> x = gaussian_matrix(16, 10, 54);
  const double lambda = 0.1 * (dict.transpose() * x).cwiseAbs().maxCoeff();
  for (const std::string kind : {"cd", "fista", "fss"}) {
    CAPTURE(kind);
    EncodeOptions o = tight(kind, lambda);
    Matrix<double> cold;
    sc::sparse::encode(dict, x, cold, o);
    Matrix<double> warm = cold + 0.05 * gaussian_matrix(32, 10, 55);
    o.start = EncodeOptions::Start::warm;
    const EncodeSummary s = sc::sparse::encode(dict, x, warm, o);
    CHECK(s.not_converged == 0);
    const Vector<double> f_cold = objectives(dict, x, cold, o.penalty);
    const Vector<double> f_warm = objectives(dict, x, warm, o.penalty);
    CHECK(((f_warm - f_cold).array().abs() / f_cold.array()).maxCoeff() <= 1e-10);
  }
}

TEST_CASE("encode: non-converged samples are counted") {
  const Matrix<double> dict = coherent_dictionary(16, 40, 56, 0.9);
  const Matrix<double> x = gaussian_matrix(16, 5, 57);
  EncodeOptions o = tight("fista", 0.01);
  std::get<ProximalGradientOptions>(o.solver).max_iterations = 2;
  Matrix<double> a;
  const EncodeSummary s = sc::sparse::encode(dict, x, a, o);
  CHECK(s.not_converged == 5);
  CHECK(s.status[0].termination == sc::solvers::SampleTermination::max_iterations);
  CHECK(s.max_relative_gap > 1e-12);
}

TEST_CASE("encode: bad input and options are rejected, naming the problem") {
  const Matrix<double> dict = random_dictionary(8, 12, 58);
  const Matrix<double> x = gaussian_matrix(8, 3, 59);
  EncodeOptions o;
  CHECK(error_of(dict, gaussian_matrix(7, 3, 60), o).find("dimension") != std::string::npos);
  Matrix<double> bad = dict;
  bad(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK(error_of(bad, x, o).find("atom 3") != std::string::npos);
  bad = x;
  bad(0, 2) = std::numeric_limits<double>::infinity();
  CHECK(error_of(dict, bad, o).find("sample 2") != std::string::npos);
  bad = x;
  bad(1, 1) = 1e300;  // finite, but ‖x‖² overflows
  CHECK(error_of(dict, bad, o).find("sample 1 (row 1) is too large") != std::string::npos);
  const Matrix<float> big_float = (x.cast<float>().array() * 1e20f).matrix();
  Matrix<float> float_codes;
  CHECK_THROWS_WITH_AS(sc::sparse::encode(Matrix<float>(dict.cast<float>()), big_float, float_codes, o),
                       doctest::Contains("sample 0 (row 0) is too large"), std::invalid_argument);
  bad = dict;
  bad.col(5) *= 1.01;
  CHECK(error_of(bad, x, o).find("norm") != std::string::npos);
  sc::sparse::normalize_atoms(bad);
  CHECK(error_of(bad, x, o).empty());
  EncodeOptions b = o;
  b.penalty.lambda = -1.0;
  CHECK(error_of(dict, x, b).find("lambda") != std::string::npos);
  b = o;
  CoordinateDescentOptions cd;
  cd.tolerance = 0.0;
  b.solver = cd;
  CHECK(error_of(dict, x, b).find("tolerance") != std::string::npos);
  b = o;
  b.threads = -2;
  CHECK(error_of(dict, x, b).find("threads") != std::string::npos);
  b = o;
  OmpOptions omp;
  omp.max_atoms = -1;
  b.solver = omp;
  CHECK(error_of(dict, x, b).find("max_atoms") != std::string::npos);
  b = o;
  b.solver = CoordinateDescentOptions{};
  b.start = EncodeOptions::Start::warm;
  CHECK(error_of(dict, x, b).find("warm-start") != std::string::npos);
  CHECK_THROWS_WITH_AS(sc::solvers::parse_solver("lasso"), doctest::Contains("lasso"),
                       std::invalid_argument);
  CHECK(std::holds_alternative<sc::solvers::FeatureSignOptions>(sc::solvers::parse_solver("fss")));
}

TEST_CASE("encode: lambda = 0 with an overcomplete dictionary is refused with the reason, except for OMP") {
  const Matrix<double> over = random_dictionary(8, 12, 61);  // k = 12 > d = 8
  const Matrix<double> x = gaussian_matrix(8, 4, 62);
  Matrix<double> a;
  for (const char* kind : {"lars", "cd", "fista", "ista", "fss"}) {
    CAPTURE(kind);
    EncodeOptions o = tight(kind, 0.0);
    CHECK_THROWS_WITH_AS(sc::sparse::encode(over, x, a, o), doctest::Contains("k = 12 atoms > d = 8"),
                         std::invalid_argument);
    o.penalty.lambda2 = 0.1;  // strongly convex: unique, fine
    CHECK_NOTHROW(sc::sparse::encode(over, x, a, o));
  }
  CHECK_NOTHROW(sc::sparse::encode(over, x, a, tight("omp", 0.0)));
  // Not overcomplete: λ = 0 is plain least squares, solved and certified.
  const Matrix<double> under = random_dictionary(8, 6, 63);
  const EncodeSummary s = sc::sparse::encode(under, x, a, tight("lars", 0.0));
  CHECK(s.not_converged == 0);
  const Matrix<double> ls = under.colPivHouseholderQr().solve(x);
  CHECK((a - ls).cwiseAbs().maxCoeff() <= 1e-8);
}

TEST_CASE("encode: never more threads or solver clones than chunks of work") {
  const Matrix<double> dict = random_dictionary(8, 12, 64);
  const Matrix<double> x = gaussian_matrix(8, 500, 65);
  EncodeOptions o = tight("lars", 0.1);
  o.threads = 4096;
  Matrix<double> a;
  const EncodeSummary many = sc::sparse::encode(dict, x, a, o);
  CHECK(many.threads == 8);  // ⌈500 / 64⌉ chunks
  o.threads = 2;
  Matrix<double> b;
  CHECK(sc::sparse::encode(dict, x, b, o).threads == 2);
  CHECK(a == b);
  o.threads = 4096;
  CHECK(sc::sparse::encode(dict, Matrix<double>(x.leftCols(10)), b, o).threads == 1);
}
