// train_classifier: checks, standardization, in-place validation split, warm-started penalty path, refit, bags.
#include "sparsecode/classify/train.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include "sparsecode/classify/metrics.hpp"
#include "sparsecode/classify/minibatch.hpp"
#include "sparsecode/classify/objective.hpp"
#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/random.hpp"

namespace sparsecode::classify {

void TrainOptions::validate() const {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("classifier training: " + what); };
  if (!auto_l2 && (!(l2 >= 0.0) || !std::isfinite(l2))) fail("l2 must be finite and >= 0");
  if (auto_l2) {
    if (l2_grid.empty()) fail("l2_grid is empty");
    for (const double c : l2_grid) {
      if (!(c >= 0.0) || !std::isfinite(c)) fail("l2_grid values must be finite and >= 0");
    }
    if (grid_patience < 1) fail("grid_patience must be >= 1");
    if (search_iterations < 1) fail("search_iterations must be >= 1");
  }
  if (!(l1 >= 0.0) || !std::isfinite(l1)) fail("l1 must be finite and >= 0");
  if (!(dropout >= 0.0 && dropout < 1.0)) fail("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (!(validation_fraction > 0.0 && validation_fraction < 1.0)) {
    fail("validation_fraction must be in (0, 1), got " + std::to_string(validation_fraction));
  }
  if (max_iterations < 1) fail("max_iterations must be >= 1");
  if (!(gradient_tolerance >= 0.0)) fail("gradient_tolerance must be >= 0");
  if (!(function_tolerance >= 0.0)) fail("function_tolerance must be >= 0");
  if (batch_size < 1) fail("batch_size must be >= 1");
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) fail("learning_rate must be > 0");
  if (patience < 1) fail("patience must be >= 1");
  if (bags < 1) fail("bags must be >= 1, got " + std::to_string(bags));
}

namespace {

// Reorders columns (and labels) so that new column j is old column perm[j], one column at a time.
void permute_columns(Matrix<float>& x, std::vector<int>& labels, const std::vector<Index>& perm) {
  std::vector<bool> done(perm.size(), false);
  Vector<float> column;
  for (std::size_t start = 0; start < perm.size(); ++start) {
    if (done[start]) continue;
    column = x.col(static_cast<Index>(start));
    const int label = labels[start];
    std::size_t j = start;
    for (;;) {
      done[j] = true;
      const auto next = static_cast<std::size_t>(perm[j]);
      if (next == start) {
        x.col(static_cast<Index>(j)) = column;
        labels[j] = label;
        break;
      }
      x.col(static_cast<Index>(j)) = x.col(static_cast<Index>(next));
      labels[j] = labels[next];
      j = next;
    }
  }
}

// One fit on a column range, by L-BFGS (full batch, optional sample weights) or mini-batch Adam.
class Fitter {
 public:
  Fitter(const TrainOptions& options, int classes, const TrainCallback& callback)
      : options_(options), classes_(classes), callback_(callback) {}

  double seconds() const { return start_.seconds(); }

  struct Outcome {
    core::Termination reason = core::Termination::iterations;
    int iterations = 0;
    double objective = std::numeric_limits<double>::quiet_NaN();
    int best_epoch = 0;
  };

  /// `bootstrap` (column multiset) is used only for bags; `epochs` > 0 fixes the epoch count
  /// of a mini-batch refit without validation.
  Outcome fit(Eigen::Ref<const Matrix<float>> x, std::span<const int> y, Eigen::Ref<const Matrix<float>> vx,
              std::span<const int> vy, double l2, const std::vector<Index>* bootstrap, int epochs,
              std::uint64_t seed, const std::string& stage, Vector<double>& theta, int max_iterations) const {
    Outcome out;
    if (options_.dropout > 0.0) {
      MinibatchOptions mo;
      mo.loss = options_.loss;
      mo.l2 = l2;
      mo.l1 = options_.l1;
      mo.dropout = options_.dropout;
      mo.epochs = epochs > 0 ? epochs : options_.max_iterations;
      mo.batch_size = options_.batch_size;
      mo.learning_rate = options_.learning_rate;
      mo.patience = options_.patience;
      mo.seed = seed;
      mo.threads = options_.threads;
      std::vector<Index> all;
      if (!bootstrap) {
        all.resize(static_cast<std::size_t>(x.cols()));
        for (Index i = 0; i < x.cols(); ++i) all[static_cast<std::size_t>(i)] = i;
      }
      const auto r = train_minibatch(x, y, bootstrap ? *bootstrap : all, vx, vy, classes_, mo, theta,
                                     [&](int epoch, double objective, double val) {
                                       report(stage, l2, epoch, objective, val);
                                     });
      out.reason = r.reason;
      out.iterations = r.epochs;
      out.best_epoch = r.best_epoch;
      return out;
    }
    std::vector<double> weights;
    if (bootstrap) {
      weights.assign(static_cast<std::size_t>(x.cols()), 0.0);
      for (const Index i : *bootstrap) weights[static_cast<std::size_t>(i)] += 1.0;
    }
    const Objective objective(x, y, classes_, options_.loss, l2, weights, options_.threads);
    solvers::LbfgsOptions lo;
    lo.max_iterations = max_iterations;
    lo.gradient_tolerance = options_.gradient_tolerance;
    lo.function_tolerance = options_.function_tolerance;
    lo.function_window = 10;
    lo.l1 = options_.l1;
    const auto s = solvers::minimize_lbfgs(objective, theta, objective.weight_count(), lo, [&](int k, double f) {
      report(stage, l2, k, f, -1.0);
      return true;
    });
    out.reason = s.reason;
    out.iterations = s.iterations;
    out.objective = s.objective;
    return out;
  }

 /// Passes one row to the callback (if any).
  void report(const std::string& stage, double l2, int iteration, double objective, double val) const {
    if (!callback_) return;
    TrainProgress p;
    p.stage = stage;
    p.l2 = l2;
    p.iteration = iteration;
    p.objective = objective;
    p.validation_accuracy = val;
    p.seconds = seconds();
    callback_(p);
  }

 private:
  const TrainOptions& options_;
  int classes_;
  const TrainCallback& callback_;
  core::internal::Stopwatch start_;
};

int check_inputs(const Matrix<float>& features, const std::vector<int>& labels) {
  if (features.rows() == 0 || features.cols() == 0) {
    throw std::invalid_argument("classifier training: features are empty (" + std::to_string(features.cols()) +
                                " samples × " + std::to_string(features.rows()) + " features)");
  }
  if (static_cast<Index>(labels.size()) != features.cols()) {
    throw std::invalid_argument("classifier training: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(features.cols()) + " feature rows");
  }
  int top = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      throw std::invalid_argument("classifier training: label " + std::to_string(labels[i]) + " of sample " +
                                  std::to_string(i) + " is negative");
    }
    top = std::max(top, labels[i]);
  }
  if (top < 1) throw std::invalid_argument("classifier training: the labels name fewer than 2 classes");
  for (Index j = 0; j < features.cols(); ++j) {
    if (!features.col(j).allFinite()) {
      throw std::invalid_argument("classifier training: features of sample " + std::to_string(j) +
                                  " contain NaN or infinite values");
    }
  }
  return top + 1;
}

}  // namespace

TrainResult train_classifier(Matrix<float> features, std::vector<int> labels, const TrainOptions& options,
                             const TrainCallback& callback) {
  options.validate();
  const int classes = check_inputs(features, labels);
  const Index n = features.cols();
  const Index f = features.rows();
  TrainResult result;
  TrainSummary& summary = result.summary;
  Classifier& model = result.model;
  model.loss = options.loss;
  model.l1 = options.l1;
  model.standardizer = Standardizer::fit(features, options.threads);
  model.standardizer.apply(features, options.threads);
  const Fitter fitter(options, classes, callback);

  Vector<double> theta = Vector<double>::Zero((f + 1) * classes);
  double l2 = options.l2;
  int epochs = 0;  // mini-batch refit length found on the validation split
  const bool split = options.auto_l2 || options.dropout > 0.0;
  summary.training_samples = n;
  if (split) {
    const auto n_val = static_cast<Index>(std::llround(options.validation_fraction * static_cast<double>(n)));
    if (n_val < 1 || n_val >= n) {
      throw std::invalid_argument("classifier training: a validation fraction of " +
                                  std::to_string(options.validation_fraction) + " of " + std::to_string(n) +
                                  " samples leaves no sample on one side");
    }
    std::vector<Index> perm(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    std::mt19937_64 rng(options.seed);
    core::shuffle(perm, rng);
    permute_columns(features, labels, perm);
    const Index n_train = n - n_val;
    summary.training_samples = n_train;
    summary.validation_samples = n_val;
    const auto x = features.leftCols(n_train);
    const auto vx = features.rightCols(n_val);
    const std::span<const int> y(labels.data(), static_cast<std::size_t>(n_train));
    const std::span<const int> vy(labels.data() + n_train, static_cast<std::size_t>(n_val));
    const std::vector<double> grid = options.auto_l2 ? options.l2_grid : std::vector<double>{options.l2};
    Vector<double> best_theta = theta;
    double best_accuracy = -1.0;
    int since_best = 0;
    for (const double candidate : grid) {
      const auto out = fitter.fit(x, y, vx, vy, candidate, nullptr, 0, options.seed + 1, "search", theta,
                                    options.auto_l2 ? std::min(options.search_iterations, options.max_iterations)
                                                    : options.max_iterations);
      GridPoint point;
      point.l2 = candidate;
      point.validation_accuracy = accuracy(predict_theta(theta, classes, vx, options.threads), vy);
      point.iterations = out.iterations;
      point.reason = out.reason;
      summary.grid.push_back(point);
      fitter.report("validation", candidate, out.iterations, out.objective, point.validation_accuracy);
      if (point.validation_accuracy > best_accuracy) {
        best_accuracy = point.validation_accuracy;
        best_theta = theta;
        l2 = candidate;
        epochs = out.best_epoch;
        since_best = 0;
      } else if (++since_best >= options.grid_patience) {
        break;
      }
    }
    theta = best_theta;
    if (!options.auto_l2) summary.grid.clear();
  }
  summary.l2 = l2;
  model.l2 = l2;
  // L-BFGS (a convex problem) continues from the search's solution; mini-batch training starts
  // afresh for the epoch count that was best on the validation split.
  const bool minibatch = options.dropout > 0.0;
  if (minibatch) theta.setZero();
  const auto refit = fitter.fit(features, labels, features.rightCols(0), {}, l2, nullptr, std::max(epochs, 1),
                                options.seed + 2, "refit", theta, options.max_iterations);
  summary.reason = refit.reason;
  summary.iterations = refit.iterations;
  summary.objective = refit.objective;

  const auto member_of = [&](const Vector<double>& t) {
    LinearMember m;
    m.weights = Eigen::Map<const Matrix<double>>(t.data(), f, classes).cast<float>();
    m.bias = t.tail(classes).cast<float>();
    return m;
  };
  if (options.bags == 1) {
    model.members.push_back(member_of(theta));
  } else {
    for (int k = 0; k < options.bags; ++k) {
      std::mt19937_64 rng(options.seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(k + 1)));
      std::vector<Index> bootstrap(static_cast<std::size_t>(n));
      for (Index& i : bootstrap) i = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(n)));
      Vector<double> member = minibatch ? Vector<double>::Zero(theta.size()) : Vector<double>(theta);
      fitter.fit(features, labels, features.rightCols(0), {}, l2, &bootstrap, std::max(epochs, 1),
                 rng(), "bag " + std::to_string(k + 1), member, options.max_iterations);
      model.members.push_back(member_of(member));
    }
  }
  // Training accuracy of the final (averaged) model on the standardized samples.
  summary.training_accuracy =
      accuracy(argmax_columns(model.decision_standardized(features, options.threads)), labels);
  summary.seconds = fitter.seconds();
  return result;
}

}  // namespace sparsecode::classify
