// Tests of the linear classifiers: objectives against brute force, gradients, training, determinism, model files.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "sparsecode/solvers/lbfgs.hpp"
#include "sparsecode/classify/metrics.hpp"
#include "sparsecode/classify/minibatch.hpp"
#include "sparsecode/classify/model_io.hpp"
#include "sparsecode/classify/objective.hpp"
#include "sparsecode/classify/standardizer.hpp"
#include "sparsecode/classify/train.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "tests/classify_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace cls = sparsecode::classify;
using sparsecode::Index;
using sparsecode::Matrix;
using sparsecode::Vector;
using sparsecode::test::toy_data;

namespace {

Vector<double> random_theta(Index size, std::uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  Vector<double> t(size);
  for (Index i = 0; i < size; ++i) t(i) = scale * sparsecode::core::standard_normal(rng);
  return t;
}

// The objective written out sample by sample in double, straight from its definition.
double brute_force(cls::Loss loss, const Matrix<float>& x, const std::vector<int>& y, int classes, double l2,
                   const std::vector<double>& w, const Vector<double>& theta) {
  const Index f = x.rows();
  double total = 0.0, weight = 0.0;
  for (Index j = 0; j < x.cols(); ++j) {
    std::vector<double> s(static_cast<std::size_t>(classes));
    for (int c = 0; c < classes; ++c) {
      s[static_cast<std::size_t>(c)] = theta(f * classes + c);
      for (Index i = 0; i < f; ++i) s[static_cast<std::size_t>(c)] += theta(c * f + i) * x(i, j);
    }
    const int label = y[static_cast<std::size_t>(j)];
    double l = 0.0;
    if (loss == cls::Loss::softmax) {
      double z = 0.0;
      for (const double v : s) z += std::exp(v);
      l = std::log(z) - s[static_cast<std::size_t>(label)];
    } else {
      for (int c = 0; c < classes; ++c) {
        const double t = c == label ? 1.0 : -1.0;
        const double m = std::max(0.0, 1.0 - t * s[static_cast<std::size_t>(c)]);
        l += m * m;
      }
    }
    total += w[static_cast<std::size_t>(j)] * l;
    weight += w[static_cast<std::size_t>(j)];
  }
  return total / weight + 0.5 * l2 * theta.head(f * classes).squaredNorm();
}

cls::TrainOptions fixed(double l2, cls::Loss loss = cls::Loss::softmax) {
  cls::TrainOptions o;
  o.loss = loss;
  o.auto_l2 = false;
  o.l2 = l2;
  return o;
}

}  // namespace

TEST_CASE("classify objective: softmax and squared hinge equal a brute-force evaluation, with weights and l2") {
  const auto d = toy_data(7, 5000, 4, 1.0, 1.0, 1, 0.0);  // more than one chunk of samples
  std::vector<double> w(d.labels.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>(i % 3);
  for (const cls::Loss loss : {cls::Loss::softmax, cls::Loss::squared_hinge}) {
    CAPTURE(cls::to_string(loss));
    const cls::Objective objective(d.features, d.labels, 4, loss, 0.3, w, 2);
    const Vector<double> theta = random_theta(objective.parameter_count(), 2, 0.05);
    Vector<double> g;
    const double value = objective(theta, g);
    const double expected = brute_force(loss, d.features, d.labels, 4, 0.3, w, theta);
    CHECK(value == doctest::Approx(expected).epsilon(1e-5));
    CHECK(objective.data_loss(theta) ==
          doctest::Approx(brute_force(loss, d.features, d.labels, 4, 0.0, w, theta)).epsilon(1e-5));
  }
}

TEST_CASE("classify objective: gradients of both losses and the l2 penalty match central differences") {
  const auto d = toy_data(5, 300, 3, 1.0, 1.0, 3, 0.0);
  std::vector<double> w(d.labels.size(), 1.0);
  w[0] = 2.5;
  for (const cls::Loss loss : {cls::Loss::softmax, cls::Loss::squared_hinge}) {
    for (const double l2 : {0.0, 0.7}) {
      CAPTURE(cls::to_string(loss));
      CAPTURE(l2);
      const cls::Objective objective(d.features, d.labels, 3, loss, l2, w, 1);
      const Vector<double> theta = random_theta(objective.parameter_count(), 4, 0.3);
      Vector<double> g, ignored;
      objective(theta, g);
      Vector<double> numeric(theta.size());
      const double h = 1e-3;
      for (Index i = 0; i < theta.size(); ++i) {
        Vector<double> plus = theta, minus = theta;
        plus(i) += h;
        minus(i) -= h;
        numeric(i) = (objective(plus, ignored) - objective(minus, ignored)) / (2 * h);
      }
      CHECK((numeric - g).norm() <= 2e-4 * std::max(1.0, g.norm()));
    }
  }
}

TEST_CASE("classify lbfgs: OWL-QN reaches the L1 optimality conditions and zeroes weights") {
  const auto d = toy_data(12, 400, 3, 1.0, 1.5, 5, 0.0);
  const cls::Objective objective(d.features, d.labels, 3, cls::Loss::softmax, 1e-3, {}, 1);
  sparsecode::solvers::LbfgsOptions o;
  o.l1 = 0.02;
  o.max_iterations = 1000;
  o.gradient_tolerance = 1e-6;
  o.function_tolerance = 0.0;
  Vector<double> theta = Vector<double>::Zero(objective.parameter_count());
  const auto s = sparsecode::solvers::minimize_lbfgs(objective, theta, objective.weight_count(), o);
  CAPTURE(sparsecode::core::to_string(s.reason));
  Vector<double> g;
  objective(theta, g);
  // The scores are float32: once the decrease of J falls below their rounding (about 1e-7·J) the
  // line search stops, how early depending on the GEMM kernels' summation order, which leaves a KKT
  // residual of about 1e-3 at most.
  const double kkt = 2e-3;
  int zeros = 0;
  for (Index i = 0; i < objective.weight_count(); ++i) {
    if (theta(i) == 0.0) {
      ++zeros;
      CHECK(std::abs(g(i)) <= o.l1 + kkt);
    } else {
      CHECK(std::abs(g(i) + o.l1 * (theta(i) > 0 ? 1.0 : -1.0)) <= kkt);
    }
  }
  CHECK(g.tail(3).lpNorm<Eigen::Infinity>() <= kkt);  // the bias is not penalized
  CHECK(zeros > 0);
}

TEST_CASE("classify standardizer: zero mean and unit variance, a constant feature gets scale 0") {
  auto d = toy_data(4, 1000, 2, 1.0, 1.0, 6);
  d.features.row(2).setConstant(5.0f);
  const auto s = cls::Standardizer::fit(d.features, 2);
  CHECK(s.scale(2) == 0.0f);
  Matrix<float> z = d.features;
  s.apply(z, 2);
  for (const Index i : {0, 1, 3}) {
    const Vector<double> row = z.row(i).cast<double>().transpose();
    CHECK(std::abs(row.mean()) < 1e-4);
    CHECK((row.array() - row.mean()).square().mean() == doctest::Approx(1.0).epsilon(1e-4));
  }
  CHECK(z.row(2).isZero());
}

TEST_CASE("classify train: separable data reach 100% training accuracy with both losses") {
  const auto d = toy_data(10, 600, 4, 6.0, 0.5, 7);
  for (const cls::Loss loss : {cls::Loss::softmax, cls::Loss::squared_hinge}) {
    CAPTURE(cls::to_string(loss));
    const auto r = cls::train_classifier(d.features, d.labels, fixed(1e-4, loss));
    CHECK(r.summary.training_accuracy == 1.0);
    CHECK(cls::accuracy(r.model.predict(d.features), d.labels) == 1.0);
  }
}

TEST_CASE("classify train: --l2 auto picks from the grid, is reproducible for a seed and identical for 1 and 2 threads") {
  const auto d = toy_data(20, 5000, 3, 0.6, 1.0, 8);  // overlapping classes; several sample chunks
  cls::TrainOptions o;
  o.l2_grid = {1e-1, 1e-2, 1e-3, 1e-4};
  o.max_iterations = 100;
  o.seed = 11;
  o.threads = 1;
  const auto one = cls::train_classifier(d.features, d.labels, o);
  o.threads = 2;
  const auto two = cls::train_classifier(d.features, d.labels, o);
  const auto& grid = one.summary.grid;
  REQUIRE(!grid.empty());
  CHECK(std::find(o.l2_grid.begin(), o.l2_grid.end(), one.summary.l2) != o.l2_grid.end());
  double best = -1.0;
  for (const auto& p : grid) best = std::max(best, p.validation_accuracy);
  for (const auto& p : grid) {
    if (p.l2 == one.summary.l2) CHECK(p.validation_accuracy == best);
  }
  CHECK(one.summary.validation_samples == 500);
  CHECK(one.model.members.front().weights == two.model.members.front().weights);
  CHECK(one.model.members.front().bias == two.model.members.front().bias);
  CHECK(one.model.standardizer.mean == two.model.standardizer.mean);
  o.seed = 12;
  const auto other = cls::train_classifier(d.features, d.labels, o);
  CHECK(other.model.members.front().weights != one.model.members.front().weights);  // another split
}

TEST_CASE("classify train: dropout training is reproducible, thread-independent and learns separable data") {
  const auto d = toy_data(10, 3000, 3, 3.0, 0.5, 9);
  cls::TrainOptions o = fixed(1e-4);
  o.dropout = 0.3;
  o.max_iterations = 15;
  o.seed = 4;
  o.threads = 1;
  const auto one = cls::train_classifier(d.features, d.labels, o);
  o.threads = 2;
  const auto two = cls::train_classifier(d.features, d.labels, o);
  CHECK(one.model.members.front().weights == two.model.members.front().weights);
  CHECK(one.summary.training_accuracy > 0.98);
  CHECK(one.summary.grid.empty());
  CHECK(one.summary.validation_samples == 300);
}

TEST_CASE("classify mini-batch Adam: the epoch-averaged parameters come close to the L-BFGS optimum at a large step") {
  // Overlapping classes and a strongly convex objective: the optimum is unique, and at a large
  // constant step Adam's last iterate wanders around it while the epoch average does not.
  const auto d = toy_data(20, 2000, 3, 1.0, 1.0, 21);
  const double l2 = 1e-2;
  const cls::Objective objective(d.features, d.labels, 3, cls::Loss::softmax, l2, {}, 1);
  Vector<double> optimum = Vector<double>::Zero(objective.parameter_count());
  sparsecode::solvers::LbfgsOptions lo;
  lo.max_iterations = 500;
  lo.gradient_tolerance = 1e-9;
  lo.function_tolerance = 0.0;
  const auto s = sparsecode::solvers::minimize_lbfgs(objective, optimum, objective.weight_count(), lo);
  Vector<double> g;
  const double best = objective(optimum, g);
  CAPTURE(sparsecode::core::to_string(s.reason));
  cls::MinibatchOptions mo;
  mo.l2 = l2;
  mo.dropout = 0.0;
  mo.epochs = 10;
  mo.batch_size = 32;
  mo.learning_rate = 0.01;
  mo.threads = 1;
  std::vector<Index> all(2000);
  for (Index i = 0; i < 2000; ++i) all[static_cast<std::size_t>(i)] = i;
  Vector<double> theta = Vector<double>::Zero(objective.parameter_count());
  cls::train_minibatch(d.features, d.labels, all, Matrix<float>(20, 0), {}, 3, mo, theta);
  const double reached = objective(theta, g);
  CAPTURE(best);
  CAPTURE(reached);
  CHECK(reached >= best - 1e-9);
  CHECK(reached - best < 0.1 * best);  // the last iterate is about 20% above here
}

TEST_CASE("classify train: a bagged ensemble averages its members' probabilities") {
  const auto d = toy_data(6, 800, 3, 1.0, 1.0, 10);
  cls::TrainOptions o = fixed(1e-3);
  o.bags = 3;
  const auto r = cls::train_classifier(d.features, d.labels, o);
  REQUIRE(r.model.members.size() == 3);
  CHECK(r.model.members[0].weights != r.model.members[1].weights);
  Matrix<float> mean = Matrix<float>::Zero(3, d.features.cols());
  for (const auto& m : r.model.members) {
    cls::Classifier single = r.model;
    single.members = {m};
    mean += single.decision(d.features) / 3.0f;
  }
  CHECK(r.model.decision(d.features).isApprox(mean, 1e-5f));
  CHECK(r.model.decision(d.features).colwise().sum().isOnes(1e-5));
}

TEST_CASE("classify model file: save/load round trip gives identical predictions, other kinds are rejected") {
  sparsecode::test::TempDir dir("classify_io");
  const auto d = toy_data(8, 500, 3, 1.0, 1.0, 12);
  cls::TrainOptions o = fixed(1e-3, cls::Loss::squared_hinge);
  o.bags = 2;
  const auto r = cls::train_classifier(d.features, d.labels, o);
  cls::save_classifier(dir / "c.bin", r.model);
  const cls::Classifier loaded = cls::load_classifier(dir / "c.bin");
  CHECK(loaded.loss == cls::Loss::squared_hinge);
  CHECK(loaded.decision(d.features) == r.model.decision(d.features));
  CHECK(loaded.predict(d.features) == r.model.predict(d.features));

  sparsecode::io::Checkpoint other;
  other.set_string("kind", "features-extractor");
  other.save(dir / "e.bin");
  std::ofstream(dir / "junk.bin") << "not a model at all";
  for (const char* name : {"e.bin", "junk.bin", "missing.bin"}) {
    CAPTURE(name);
    try {
      cls::load_classifier(dir / name);
      FAIL("accepted " << name);
    } catch (const cls::ModelFileError& e) {
      const std::string what = e.what();
      CHECK(what.find(name) != std::string::npos);
      CHECK(what.find('\n') == std::string::npos);
    }
  }
  try {
    cls::load_classifier(dir / "e.bin");
  } catch (const cls::ModelFileError& e) {
    CHECK(std::string(e.what()).find("'features-extractor' file, not a classifier") != std::string::npos);
  }
}

TEST_CASE("classify train: bad inputs are rejected with a message naming the problem") {
  const auto d = toy_data(4, 50, 2, 1.0, 1.0, 13);
  const auto fails_with = [&](Matrix<float> x, std::vector<int> y, const std::string& part) {
    try {
      cls::train_classifier(std::move(x), std::move(y), fixed(1e-3));
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(part) != std::string::npos);
    }
  };
  Matrix<float> nan = d.features;
  nan(1, 7) = std::numeric_limits<float>::quiet_NaN();
  fails_with(nan, d.labels, "sample 7 contain NaN");
  fails_with(Matrix<float>(4, 0), {}, "empty");
  fails_with(d.features, std::vector<int>(49, 0), "49 labels for 50");
  std::vector<int> negative = d.labels;
  negative[3] = -1;
  fails_with(d.features, negative, "negative");
  fails_with(d.features, std::vector<int>(50, 0), "fewer than 2 classes");
  cls::TrainOptions o;
  o.validation_fraction = 0.001;  // rounds to no validation sample
  CHECK_THROWS_AS(cls::train_classifier(d.features, d.labels, o), std::invalid_argument);
  o = fixed(-1.0);
  CHECK_THROWS_AS(cls::train_classifier(d.features, d.labels, o), std::invalid_argument);
}

TEST_CASE("classify metrics: confusion matrix and per-class accuracy") {
  const std::vector<int> truth = {0, 0, 1, 1, 2, 2};
  const std::vector<int> predicted = {0, 1, 1, 1, 0, 2};
  const auto e = cls::evaluate(predicted, truth, 4);
  CHECK(e.accuracy == doctest::Approx(4.0 / 6.0));
  CHECK(e.confusion(0, 1) == 1);
  CHECK(e.confusion.sum() == 6);
  CHECK(e.class_accuracy[0] == 0.5);
  CHECK(e.class_accuracy[1] == 1.0);
  CHECK(std::isnan(e.class_accuracy[3]));
}
