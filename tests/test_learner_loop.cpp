// Tests for the learner loop shared by both learners: callbacks that stop training, and the summary's brief report.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "learner_fixtures.hpp"
#include "sparsecode/sparse/batch_learner.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "temp_dir.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;
using sparsecode::test::make_planted;

namespace {

OnlineLearnerOptions online_options() {
  auto o = sparsecode::test::small_learner_options<OnlineLearnerOptions>(8, 0.1, 2, 30);
  o.batch_size = 16;
  return o;
}

BatchLearnerOptions batch_options() {
  auto o = sparsecode::test::small_learner_options<BatchLearnerOptions>(8, 0.1, 2, 30);
  o.relative_decrease = 0;
  return o;
}

// A callback that records the iterations it saw and asks to stop at `stop_at`.
struct StopAt {
  long long stop_at;
  std::vector<long long> seen;
  CallbackResult operator()(const LearnerProgress& p) {
    seen.push_back(p.iteration);
    return p.iteration == stop_at ? CallbackResult::stop : CallbackResult::proceed;
  }
};

template <class Learner, class Options>
void check_stops_after_callback(const Options& options) {
  const auto planted = make_planted(10, 8, 200, 2, 0.02, 6);
  const sparsecode::test::TempDir dir("loop_stop");
  Options o = options;
  o.checkpoint = dir / "state.ckpt";
  o.checkpoint_every = 100;  // only the final checkpoint
  Learner learner(o);
  StopAt stop{4, {}};
  const LearnerSummary s = learner.fit(planted.signals, Matrix<double>(), [&](const LearnerProgress& p) { return stop(p); });
  CHECK(s.termination == Termination::user_callback);
  CHECK(s.last.iteration == 4);
  CHECK(learner.progress().iteration == 4);
  CHECK(stop.seen == std::vector<long long>{1, 2, 3, 4});
  CHECK(s.brief_report().find("stopped by the callback") != std::string::npos);

  // Stopping by the callback loses nothing: the final checkpoint resumes to the same result as
  // an uninterrupted run.
  Learner whole(options);
  whole.fit(planted.signals, Matrix<double>());
  Learner resumed(options);
  resumed.load_checkpoint(dir / "state.ckpt", planted.signals.cols());
  const LearnerSummary r = resumed.fit(planted.signals, Matrix<double>());
  CHECK(r.resumed);
  CHECK(r.termination == Termination::iterations);
  CHECK(resumed.dictionary() == whole.dictionary());
}

}  // namespace

TEST_CASE("online learner: a callback returning stop ends fit() after exactly that iteration") {
  check_stops_after_callback<OnlineLearner>(online_options());
}

TEST_CASE("batch learner: a callback returning stop ends fit() after exactly that iteration") {
  check_stops_after_callback<BatchLearner>(batch_options());
}

TEST_CASE("learner summary: brief_report names the termination and the last iteration") {
  const auto planted = make_planted(10, 8, 200, 2, 0.02, 7);
  OnlineLearnerOptions o = online_options();
  o.stop.iterations = 0;
  o.stop.epochs = 2;
  OnlineLearner learner(o);
  const LearnerSummary s = learner.fit(planted.signals, planted.signals.leftCols(40));
  CHECK(s.termination == Termination::epochs);
  const std::string report = s.brief_report();
  MESSAGE(report);
  CHECK(report.find("stopped (epoch budget used up)") != std::string::npos);
  CHECK(report.find(std::to_string(s.last.iteration) + " iterations") != std::string::npos);
  CHECK(report.find(std::to_string(s.last.samples_seen) + " samples") != std::string::npos);
  CHECK(report.find("held-out") != std::string::npos);
  CHECK(report.find('\n') == std::string::npos);
}

TEST_CASE("learner summary: the time split adds up to the training time, with no exchange on one process") {
  const auto planted = make_planted(10, 8, 200, 2, 0.02, 8);
  const auto check = [](const LearnerSummary& s) {
    const TimeSplit& t = s.time_split;
    CHECK(t.coding > 0.0);
    CHECK(t.update >= 0.0);
    CHECK(t.exchange == 0.0);
    CHECK(t.coding + t.exchange + t.update == doctest::Approx(s.last.seconds).epsilon(1e-9));
    const std::string report = s.brief_report();
    CHECK(report.find("; coding ") != std::string::npos);
    CHECK(report.find(", update ") != std::string::npos);
    CHECK(report.find("exchange") == std::string::npos);
  };
  OnlineLearner online(online_options());
  check(online.fit(planted.signals, Matrix<double>()));
  BatchLearner batch(batch_options());
  check(batch.fit(planted.signals, Matrix<double>()));
}

TEST_CASE("fraction_done: the largest progress ratio over the budgets that are on, epochs counted in samples") {
  sparsecode::sparse::StopCriteria stop;
  stop.epochs = 2;
  sparsecode::sparse::LearnerProgress p;
  p.samples_seen = 50;
  p.iteration = 10;
  CHECK(sparsecode::sparse::fraction_done(stop, p, 100) == doctest::Approx(0.25));
  stop.iterations = 20;  // 10 of 20 iterations is further along than 50 of 200 samples
  CHECK(sparsecode::sparse::fraction_done(stop, p, 100) == doctest::Approx(0.5));
  stop = {};
  stop.epochs = 0;
  stop.seconds = 4.0;
  p.seconds = 1.0;
  CHECK(sparsecode::sparse::fraction_done(stop, p, 100) == doctest::Approx(0.25));
  p.seconds = 9.0;
  CHECK(sparsecode::sparse::fraction_done(stop, p, 100) == 1.0);
}
