// Tests for the batch alternating-optimization learner: monotone objective, QP KKT, resume, options.
#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "learner_fixtures.hpp"
#include "temp_dir.hpp"
#include "sparsecode/sparse/batch_learner.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;
using namespace sparsecode::io;
using sparsecode::test::make_planted;

namespace {

BatchLearnerOptions batch_options(DictionaryMethod method) {
  BatchLearnerOptions o;
  o.atoms = 10;
  o.coding.penalty.lambda = 0.15;
  o.method = method;
  o.seed = 4;
  o.stop.iterations = 8;
  o.relative_decrease = 0;
  return o;
}

}  // namespace

TEST_CASE("batch learner: the objective on fixed data never increases, for both QP solvers") {
  const auto planted = make_planted(12, 10, 300, 3, 0.05, 17);
  for (auto method : {DictionaryMethod::lagrange_dual, DictionaryMethod::bcd}) {
    BatchLearnerOptions o = batch_options(method);
    o.qp_tolerance = 1e-10;
    o.qp_max_iterations = 5000;
    std::vector<double> objective;
    BatchLearner learner(o);
    const BatchSummary s = learner.fit(planted.signals, Matrix<double>(),
                                       [&](const LearnerProgress& p) {
                                         objective.push_back(p.batch_objective);
                                         return CallbackResult::proceed;
                                       });
    REQUIRE(objective.size() == 8);
    for (std::size_t i = 1; i < objective.size(); ++i) {
      CHECK(objective[i] <= objective[i - 1] * (1 + 1e-9));
    }
    CHECK(objective.back() < objective.front());
    CHECK(s.last_update.kkt_residual <= 1e-6);
    CHECK(learner.dictionary().colwise().norm().maxCoeff() <= 1.0 + 1e-12);
  }
}

TEST_CASE("batch learner: non-negative dictionary and codes stay non-negative") {
  auto planted = make_planted(12, 8, 200, 2, 0.0, 23);
  planted.signals = planted.signals.cwiseAbs();
  BatchLearnerOptions o = batch_options(DictionaryMethod::bcd);
  o.atoms = 8;
  o.dictionary_sign = DictionarySign::nonnegative;
  o.coding.penalty.sign = sparsecode::solvers::CodeSign::nonnegative;
  o.stop.iterations = 4;
  BatchLearner learner(o);
  learner.fit(planted.signals, Matrix<double>());
  CHECK(learner.dictionary().minCoeff() >= 0.0);
  o.method = DictionaryMethod::lagrange_dual;
  CHECK_THROWS_WITH_AS(BatchLearner{o}, doctest::Contains("bcd"), std::invalid_argument);
}

TEST_CASE("batch learner: resume from a checkpoint is bit-identical") {
  const auto planted = make_planted(10, 8, 150, 2, 0.05, 29);
  const sparsecode::test::TempDir dir("batch_resume");
  BatchLearnerOptions o = batch_options(DictionaryMethod::bcd);
  o.atoms = 8;
  o.stop.iterations = 6;
  BatchLearner whole(o);
  whole.fit(planted.signals, Matrix<double>());
  BatchLearnerOptions first = o;
  first.stop.iterations = 3;
  first.checkpoint = dir / "batch.ckpt";
  BatchLearner part(first);
  part.fit(planted.signals, Matrix<double>());
  BatchLearner resumed(o);
  resumed.load_checkpoint(dir / "batch.ckpt", planted.signals.cols());
  resumed.fit(planted.signals, Matrix<double>());
  CHECK(resumed.dictionary() == whole.dictionary());
  CHECK(resumed.progress().iteration == 6);
}

TEST_CASE("batch learner: fit() needs initialize_with() for 'given', and data of the dictionary's dimension") {
  const auto planted = make_planted(12, 10, 60, 3, 0.05, 19);
  BatchLearnerOptions o = batch_options(DictionaryMethod::bcd);
  o.init = DictionaryInit::given;
  BatchLearner unset(o);
  CHECK_THROWS_WITH_AS(unset.fit(planted.signals, Matrix<double>()), doctest::Contains("initialize_with"),
                       std::invalid_argument);
  BatchLearner given(o);
  given.initialize_with(planted.dictionary);
  const Matrix<double> other_dimension = planted.signals.topRows(9);
  CHECK_THROWS_WITH_AS(given.fit(other_dimension, Matrix<double>()), doctest::Contains("dimension 9"),
                       std::invalid_argument);
  CHECK_NOTHROW(given.fit(planted.signals, Matrix<double>()));
}
