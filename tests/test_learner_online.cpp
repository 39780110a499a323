// Tests for the online dictionary learner: planted recovery, exact resume, thread independence, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "learner_fixtures.hpp"
#include "temp_dir.hpp"
#include "sparsecode/sparse/online_learner.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;
using namespace sparsecode::io;
using sparsecode::test::make_planted;
using sparsecode::test::matched_mean_abs_cos;

namespace {

OnlineLearnerOptions small_options() {
  OnlineLearnerOptions o;
  o.atoms = 12;
  o.coding.penalty.lambda = 0.1;
  o.batch_size = 32;
  o.seed = 3;
  o.stop.epochs = 0;
  o.stop.iterations = 40;
  o.dictionary.max_sweeps = 5;
  return o;
}

}  // namespace

TEST_CASE("online learner: a planted dictionary is recovered up to sign and permutation") {
  // Large enough (and λ large enough for sparse codes) that recovery from data-patch
  // initialisation does not hinge on a lucky start; smaller problems have spurious local minima.
  const auto planted = make_planted(20, 20, 4000, 3, 0.01, 42);
  OnlineLearnerOptions o = small_options();
  o.atoms = 20;
  o.stop.iterations = 0;
  o.stop.epochs = 10;
  o.coding.penalty.lambda = 0.2;
  OnlineLearner learner(o);
  const OnlineSummary s = learner.fit(planted.signals, Matrix<double>());
  CHECK(s.termination == Termination::epochs);
  CHECK(s.last.samples_seen == 10 * 4000);
  const double cos = matched_mean_abs_cos(planted.dictionary, learner.dictionary());
  MESSAGE("mean |cos| = " << cos);
  CHECK(cos >= 0.99);
  CHECK(learner.dictionary().colwise().norm().maxCoeff() <= 1.0 + 1e-12);
}

TEST_CASE("online learner: resuming from a checkpoint is bit-identical to an uninterrupted run") {
  const auto planted = make_planted(10, 8, 300, 2, 0.05, 5);
  const Matrix<double> heldout = planted.signals.leftCols(50);
  const Matrix<double> train = planted.signals.rightCols(250);
  const sparsecode::test::TempDir dir("online_resume");
  using Precision = OnlineLearnerOptions::Precision;
  for (const Precision precision : {Precision::float64, Precision::float32}) {
    CAPTURE(static_cast<int>(precision));
    OnlineLearnerOptions o = small_options();
    o.atoms = 8;
    o.batch_size = 20;
    o.stop.iterations = 37;  // crosses epoch boundaries (13 mini-batches per epoch)
    o.evaluate_every = 5;
    o.replace_window = 60;   // exercises atom replacement and its state
    o.precision = precision;
    OnlineLearner whole(o);
    whole.fit(train, heldout);

    OnlineLearnerOptions first = o;
    first.stop.iterations = 16;
    first.checkpoint = dir / "state.ckpt";
    first.checkpoint_every = 4;
    OnlineLearner interrupted(first);
    interrupted.fit(train, heldout);

    OnlineLearner resumed(o);
    resumed.load_checkpoint(dir / "state.ckpt", train.cols());
    const OnlineSummary s = resumed.fit(train, heldout);
    CHECK(s.resumed);
    CHECK(s.last.iteration == 37);
    CHECK(resumed.dictionary() == whole.dictionary());
    CHECK(resumed.statistics_a() == whole.statistics_a());
    CHECK(resumed.statistics_b() == whole.statistics_b());
    CHECK(resumed.progress().atoms_replaced == whole.progress().atoms_replaced);
    // The history holds the whole curve, the rows before the resume included.
    REQUIRE(resumed.history().size() == 37);
    for (std::size_t i = 0; i < 37; ++i) {
      CAPTURE(i);
      const LearnerProgress& r = resumed.history()[i];
      const LearnerProgress& w = whole.history()[i];
      CHECK(r.iteration == w.iteration);
      CHECK(r.samples_seen == w.samples_seen);
      CHECK(r.batch_objective == w.batch_objective);
      CHECK((std::isnan(r.heldout_objective) ? std::isnan(w.heldout_objective)
                                             : r.heldout_objective == w.heldout_objective));
    }

    // Resuming on other data of the same size, or another held-out set, is refused, saying which.
    Matrix<double> other_train = train;
    other_train(3, 100) += 1e-9;
    OnlineLearner on_other_data(o);
    on_other_data.load_checkpoint(dir / "state.ckpt", train.cols());
    CHECK_THROWS_WITH_AS(on_other_data.fit(other_train, heldout),
                         doctest::Contains("the training data differ from the checkpoint's"), CheckpointError);
    OnlineLearner on_other_heldout(o);
    on_other_heldout.load_checkpoint(dir / "state.ckpt", train.cols());
    CHECK_THROWS_WITH_AS(on_other_heldout.fit(train, planted.signals.leftCols(49)),
                         doctest::Contains("the held-out data differ from the checkpoint's"), CheckpointError);

    // A checkpoint of another run is refused with a clear message.
    OnlineLearnerOptions other = o;
    other.batch_size = 21;
    OnlineLearner mismatched(other);
    CHECK_THROWS_WITH_AS(mismatched.load_checkpoint(dir / "state.ckpt", train.cols()),
                         doctest::Contains("batch size"), CheckpointError);
    // Learning in the other precision is another iteration: refused too.
    other = o;
    other.precision = precision == Precision::float64 ? Precision::float32 : Precision::float64;
    OnlineLearner other_precision(other);
    CHECK_THROWS_WITH_AS(other_precision.load_checkpoint(dir / "state.ckpt", train.cols()),
                         doctest::Contains("precision (float32 or float64 learning)"), CheckpointError);
  }
}

TEST_CASE("online learner: 1 and 2 threads give identical dictionaries, coding in float64 or float32") {
  const auto planted = make_planted(12, 10, 400, 3, 0.02, 9);
  using Precision = OnlineLearnerOptions::Precision;
  for (const Precision precision : {Precision::float64, Precision::float32}) {
    CAPTURE(static_cast<int>(precision));
    OnlineLearnerOptions o = small_options();
    o.atoms = 10;
    o.precision = precision;
    o.coding.threads = 1;
    OnlineLearner one(o);
    one.fit(planted.signals, Matrix<double>());
    o.coding.threads = 2;
    OnlineLearner two(o);
    two.fit(planted.signals, Matrix<double>());
    CHECK(one.dictionary() == two.dictionary());
  }
}

TEST_CASE("online learner: partial_fit follows the same iteration as fit on the same batches") {
  const auto planted = make_planted(8, 6, 64, 2, 0.02, 13);
  OnlineLearnerOptions o = small_options();
  o.atoms = 6;
  o.init = DictionaryInit::gaussian;
  OnlineLearner a(o);
  a.initialize(planted.signals);
  OnlineLearner b(o);
  b.initialize(planted.signals);
  CHECK(a.dictionary() == b.dictionary());
  const LearnerProgress p1 = a.partial_fit(planted.signals.leftCols(32));
  const LearnerProgress p2 = a.partial_fit(planted.signals.rightCols(32));
  CHECK(p1.iteration == 1);
  CHECK(p2.iteration == 2);
  CHECK(p2.samples_seen == 64);
  // The surrogate's dictionary step cannot increase the surrogate objective at the new statistics.
  CHECK(a.dictionary().colwise().norm().maxCoeff() <= 1.0 + 1e-12);
  CHECK(std::isfinite(p2.batch_objective));
}

TEST_CASE("online learner: bad inputs are rejected with clear messages") {
  const auto planted = make_planted(8, 6, 20, 2, 0.02, 1);
  OnlineLearnerOptions o = small_options();
  o.atoms = 0;
  CHECK_THROWS_WITH_AS(OnlineLearner{o}, doctest::Contains("atoms k must be >= 1"), std::invalid_argument);
  o = small_options();
  o.coding.penalty.lambda = -1;
  CHECK_THROWS_WITH_AS(OnlineLearner{o}, doctest::Contains("lambda"), std::invalid_argument);
  o = small_options();
  o.batch_size = 0;
  CHECK_THROWS_WITH_AS(OnlineLearner{o}, doctest::Contains("batch size"), std::invalid_argument);
  o = small_options();
  o.coding.solver = sparsecode::solvers::CoordinateDescentOptions{};
  o.coding.start = EncodeOptions::Start::warm;  // a valid encode option, but no mini-batch has earlier codes
  CHECK_THROWS_WITH_AS(OnlineLearner{o}, doctest::Contains("OnlineLearnerOptions.coding.start"), std::invalid_argument);
  o = small_options();
  o.atoms = 30;  // more atoms than the 20 samples
  OnlineLearner too_few(o);
  CHECK_THROWS_WITH_AS(too_few.fit(planted.signals, Matrix<double>()),
                       doctest::Contains("20 samples < k = 30"), std::invalid_argument);
  Matrix<double> nan = planted.signals;
  nan(3, 7) = std::numeric_limits<double>::quiet_NaN();
  OnlineLearner with_nan(small_options());
  CHECK_THROWS_WITH_AS(with_nan.fit(nan, Matrix<double>()), doctest::Contains("NaN"), std::invalid_argument);
  Matrix<double> huge = planted.signals;
  huge(0, 4) = 1e300;  // finite, but its squared norm overflows: named, not a NaN objective
  OnlineLearner with_huge(small_options());
  CHECK_THROWS_WITH_AS(with_huge.fit(huge, Matrix<double>()), doctest::Contains("sample 4 (row 4) is too large"),
                       std::invalid_argument);
  o = small_options();
  o.stop.patience = 2;
  OnlineLearner no_heldout(o);
  CHECK_THROWS_WITH_AS(no_heldout.fit(planted.signals, Matrix<double>()), doctest::Contains("held-out"),
                       std::invalid_argument);
}
