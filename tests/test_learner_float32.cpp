// Tests for the online learner's float32 coding: the iteration it documents and its held-out objective.
#include <doctest/doctest.h>

#include <cmath>

#include "learner_fixtures.hpp"
#include "sparsecode/solvers/dictionary_bcd.hpp"
#include "sparsecode/sparse/code_statistics.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;
using sparsecode::test::make_planted;

namespace {

// Small problems: k = 10, λ = 0.1, mini-batches of 24, 30 iterations, coded in float.
OnlineLearnerOptions single_options() {
  auto o = sparsecode::test::small_learner_options<OnlineLearnerOptions>(10, 0.1, 5, 30);
  o.batch_size = 24;
  o.dictionary.max_sweeps = 2;
  o.precision = OnlineLearnerOptions::Precision::float32;
  return o;
}

}  // namespace

TEST_CASE("online learner with float32 coding: double statistics of the float coder's codes, then the update in float") {
  const auto planted = make_planted(12, 10, 96, 3, 0.02, 21);
  OnlineLearnerOptions o = single_options();
  o.replace_window = -1;  // the emulation below has no replacement
  o.init = DictionaryInit::gaussian;
  o.coding.threads = 2;
  OnlineLearner learner(o);
  learner.initialize(planted.signals);

  Matrix<double> d = learner.dictionary();
  CodeStatistics statistics;
  statistics.reset(d.rows(), o.atoms);
  const Index eta = o.batch_size;
  for (Index t = 1; t <= planted.signals.cols() / eta; ++t) {
    CAPTURE(t);
    const Matrix<double> batch = planted.signals.middleCols((t - 1) * eta, eta);
    SparseCoder<float> coder(o.coding);
    Matrix<float> codes;
    coder.compute(d.cast<float>()).encode(batch.cast<float>(), codes);
    statistics.scale(std::pow(1.0 - 1.0 / static_cast<double>(t), o.rho));
    statistics.add(batch, codes.cast<double>(), 1.0 / static_cast<double>(eta));
    Matrix<float> d32 = d.cast<float>();
    const Matrix<float> a32 = statistics.a().cast<float>(), b32 = statistics.b().cast<float>();
    sparsecode::solvers::update_dictionary_bcd(a32, b32, d32, o.dictionary);
    d = d32.cast<double>();
    for (Index j = 0; j < d.cols(); ++j) sparsecode::solvers::project_atom<double>(d.col(j), o.dictionary.constraint);

    learner.partial_fit(batch);
    REQUIRE(learner.statistics_a() == statistics.a());
    REQUIRE(learner.statistics_b() == statistics.b());
    REQUIRE(learner.dictionary() == d);
  }
}

TEST_CASE("online learner with float32 coding: held-out objective within 0.1% of float64 coding's") {
  const auto planted = make_planted(16, 12, 2400, 3, 0.05, 17);
  const Matrix<double> heldout = planted.signals.leftCols(400);
  const Matrix<double> train = planted.signals.rightCols(2000);
  OnlineLearnerOptions o = single_options();
  o.atoms = 12;
  o.batch_size = 50;
  o.stop.iterations = 80;  // two epochs
  OnlineLearner single(o);
  single.fit(train, heldout);
  o.precision = OnlineLearnerOptions::Precision::float64;
  OnlineLearner full(o);
  full.fit(train, heldout);
  const double f32 = single.evaluate(heldout);
  const double f64 = full.evaluate(heldout);
  MESSAGE("held-out objective: float32 coding " << f32 << ", float64 " << f64);
  CHECK(single.dictionary() != full.dictionary());  // the codes did differ in rounding
  CHECK(std::abs(f32 - f64) <= 1e-3 * f64);
}

TEST_CASE("online learner with float32 coding: a sample beyond float's range is refused, naming its row") {
  auto planted = make_planted(12, 10, 240, 3, 0.02, 3);
  OnlineLearnerOptions o = single_options();
  o.stop.iterations = 0;
  o.stop.epochs = 1;  // every sample is visited
  for (const double value : {1e30, 1e100}) {  // its square overflows float; the value itself too
    CAPTURE(value);
    Matrix<double> x = planted.signals;
    x(4, 37) = value;
    OnlineLearner single(o);
    CHECK_THROWS_WITH_AS(single.fit(x, Matrix<double>()),
                         doctest::Contains("training data: sample 37 (row 37) is too large: its squared norm overflows float"),
                         std::invalid_argument);
    OnlineLearner mini_batch(o);
    mini_batch.initialize(planted.signals);
    CHECK_THROWS_WITH_AS(mini_batch.partial_fit(x.middleCols(30, 20)), doctest::Contains("sample 7 (row 7)"),
                         std::invalid_argument);
  }
  // In float64 the same data are learned.
  Matrix<double> x = planted.signals;
  x(4, 37) = 1e30;
  o.precision = OnlineLearnerOptions::Precision::float64;
  OnlineLearner full(o);
  CHECK_NOTHROW(full.fit(x, Matrix<double>()));
}
