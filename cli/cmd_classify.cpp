// `sparsecode classify train|predict`: linear classifiers on feature vectors (.npy) with integer labels.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/classify/metrics.hpp"
#include "sparsecode/classify/model_io.hpp"
#include "sparsecode/classify/train.hpp"
#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/io/idx.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/viz/heatmap.hpp"

namespace sparsecode::cli {

namespace {

namespace cls = classify;
namespace fs = std::filesystem;

/// Features (N×F .npy, float32 or float64) as F×N float, and labels whose count must be N.
Matrix<float> load_features(const std::string& path) {
  return io::load_samples<float>(path, io::NpyConversion::allow_float_conversion);
}

void check_label_count(const std::vector<int>& labels, const std::string& labels_path, Index samples,
                       const std::string& features_path) {
  if (static_cast<Index>(labels.size()) != samples) {
    throw std::runtime_error("'" + labels_path + "' has " + std::to_string(labels.size()) + " labels but '" +
                             features_path + "' has " + std::to_string(samples) + " feature rows");
  }
}

struct TrainArgs {
  std::string features, labels, out, log, loss = "softmax", l2 = "auto";
  cls::TrainOptions options;
  bool quiet = false;
};

/// Progress rows for the CSV log, and a one-line display on a terminal.
class Reporter {
 public:
  explicit Reporter(bool show) : show_(show) {}
  void operator()(const cls::TrainProgress& p) {
    std::ostringstream row;
    row.precision(10);
    row << p.stage << ',' << p.l2 << ',' << p.iteration << ',' << p.objective << ',';
    if (p.validation_accuracy >= 0.0) row << p.validation_accuracy;
    row << ',' << p.seconds;
    rows_.push_back(row.str());
    if (show_) {
      std::fprintf(stderr, "\r%-10s l2 %-8.3g iter %4d  J %.6f", p.stage.c_str(), p.l2, p.iteration, p.objective);
      if (p.validation_accuracy >= 0.0) std::fprintf(stderr, "  val acc %.4f", p.validation_accuracy);
      std::fprintf(stderr, "  %.1f s      ", p.seconds);
    }
  }
  void finish() const {
    if (show_ && !rows_.empty()) std::fputc('\n', stderr);
  }
  void write_csv(const fs::path& path) const {
    std::ofstream out(path, std::ios::trunc);
    out << "stage,l2,iteration,objective,validation_accuracy,seconds\n";
    for (const std::string& row : rows_) out << row << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write the log '" + path.string() + "'");
  }

 private:
  bool show_;
  std::vector<std::string> rows_;
};

void run_train(TrainArgs& a) {
  cls::TrainOptions& o = a.options;
  o.loss = cls::parse_loss(a.loss);
  o.auto_l2 = a.l2 == "auto";
  if (!o.auto_l2) {
    std::size_t used = 0;
    double value = -1.0;
    try {
      value = std::stod(a.l2, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != a.l2.size() || !std::isfinite(value) || value < 0.0) {
      throw UsageError("--l2: expected 'auto' or a finite number >= 0, got '" + a.l2 + "'");
    }
    o.l2 = value;
  }
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  check_output_paths({{"--out", a.out}, {"--log", a.log}}, {{"--features", a.features}, {"--labels", a.labels}});

  Matrix<float> features = load_features(a.features);
  std::vector<int> labels = io::load_labels(a.labels);
  check_label_count(labels, a.labels, features.cols(), a.features);
  if (!features.allFinite()) {
    throw std::runtime_error("'" + a.features + "' contains NaN or infinite values");
  }
  Reporter reporter(!a.quiet && ::isatty(STDERR_FILENO) == 1);
  cls::TrainResult result =
      cls::train_classifier(std::move(features), std::move(labels), o, [&](const cls::TrainProgress& p) { reporter(p); });
  reporter.finish();
  write_with_companion(
      a.out, [&](const fs::path& p) { cls::save_classifier(p, result.model); }, a.log,
      [&](const fs::path& p) { reporter.write_csv(p); });
  if (!a.quiet) {
    const cls::TrainSummary& s = result.summary;
    std::cerr << "classify: " << cls::to_string(o.loss) << ", l2 " << s.l2;
    if (!s.grid.empty()) {
      double best = 0.0;
      for (const auto& g : s.grid) best = std::max(best, g.validation_accuracy);
      std::cerr << " (chosen from " << s.grid.size() << " candidates on " << s.validation_samples
                << " validation samples, accuracy " << best << ")";
    }
    std::cerr << ", refit " << s.iterations << (o.dropout > 0.0 ? " epochs" : " iterations") << " ("
              << core::describe(s.reason) << ")";
    if (o.bags > 1) std::cerr << ", " << o.bags << " bags";
    std::cerr << ", training accuracy " << s.training_accuracy << ", " << s.seconds << " s\n";
  }
}

void add_train(CLI::App& parent) {
  auto args = std::make_shared<TrainArgs>();
  TrainArgs& a = *args;
  cls::TrainOptions& o = a.options;
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  CLI::App* cmd = parent.add_subcommand(
      "train", "Train a linear classifier (softmax or squared-hinge L2-SVM) on N×F features and N labels");
  cmd->add_option("--features", a.features, "Features .npy (N×F, float32 or float64)")->required();
  cmd->add_option("--labels", a.labels, "Labels: IDX (optionally .gz) or 1-D integer .npy, N entries")->required();
  cmd->add_option("--out", a.out, "Output classifier model file")->required();
  cmd->add_option("--loss", a.loss, "softmax (multinomial logistic) | squared-hinge (one-vs-rest L2-SVM)")
      ->capture_default_str()
      ->check(CLI::IsMember({"softmax", "squared-hinge"}));
  cmd->add_option("--l2", a.l2,
                  "Weight decay on the mean loss (sklearn's C = 1/(l2·N)), or 'auto': chosen on the validation "
                  "split from 1e-1 down to 1e-6 (half-decades: 1e-1, 3e-2, 1e-2, ...), then refit on all samples")
      ->capture_default_str();
  cmd->add_option("--l1", o.l1, "L1 penalty on the weights (elastic net; OWL-QN)")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--dropout", o.dropout,
                  "Drop each input feature with this probability during mini-batch Adam training (inverted "
                  "dropout: no test-time rescaling); 0 = full-batch L-BFGS")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--val-frac", o.validation_fraction,
                  "Fraction held out to choose --l2 auto and to stop dropout training early, in (0, 1)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.9));
  cmd->add_option("--max-iter", o.max_iterations, "L-BFGS iterations per fit (epochs with --dropout)")
      ->capture_default_str()
      ->check(integer_in(1, int_max));
  cmd->add_option("--bags", o.bags, "Bagged ensemble: members trained on bootstrap samples, probabilities averaged")
      ->capture_default_str()
      ->check(integer_in(1, 1000));
  cmd->add_option("--seed", o.seed, "Seed of the validation split, bootstrap samples and dropout")
      ->capture_default_str()
      ->check(unsigned_integer());
  cmd->add_option("--threads", o.threads, "OpenMP threads (0 = all cores); results do not depend on it")
      ->capture_default_str()
      ->check(integer_in(0, 4096));
  cmd->add_option("--log", a.log, "Write the training curve (every iteration of every fit) as CSV");
  cmd->add_flag("--quiet", a.quiet, "No progress line and no summary on stderr");
  cmd->callback([args] { run_train(*args); });
}

struct PredictArgs {
  std::string model, features, out, labels, confusion_png;
};

void run_predict(const PredictArgs& a) {
  if (!a.confusion_png.empty() && a.labels.empty()) throw UsageError("--confusion-png needs --labels");
  check_output_paths({{"--out", a.out}, {"--confusion-png", a.confusion_png}},
                     {{"--features", a.features}, {"--model", a.model}, {"--labels", a.labels}});
  const cls::Classifier model = cls::load_classifier(a.model);
  const Matrix<float> features = load_features(a.features);
  if (features.rows() != model.features()) {
    throw std::runtime_error("'" + a.features + "' has " + std::to_string(features.rows()) +
                             " features per row, the model '" + a.model + "' expects " +
                             std::to_string(model.features()));
  }
  if (!features.allFinite()) throw std::runtime_error("'" + a.features + "' contains NaN or infinite values");
  std::vector<int> truth;
  if (!a.labels.empty()) {
    truth = io::load_labels(a.labels);
    check_label_count(truth, a.labels, features.cols(), a.features);
    for (const int y : truth) {
      if (y >= model.classes()) {
        throw std::runtime_error("'" + a.labels + "' has label " + std::to_string(y) + " but the model knows " +
                                 std::to_string(model.classes()) + " classes");
      }
    }
  }
  const std::vector<int> predicted = model.predict(features);
  Vector<std::int64_t> out(static_cast<Index>(predicted.size()));
  for (std::size_t i = 0; i < predicted.size(); ++i) out(static_cast<Index>(i)) = predicted[i];
  cls::Evaluation evaluation;
  if (!truth.empty()) evaluation = cls::evaluate(predicted, truth, model.classes());
  write_with_companion(
      a.out, [&](const fs::path& p) { io::save_vector<std::int64_t>(p, out); }, a.confusion_png,
      [&](const fs::path& p) {
        viz::HeatmapLabels labels;
        char title[64];
        std::snprintf(title, sizeof title, "Confusion matrix (accuracy %.4f)", evaluation.accuracy);
        labels.title = title;
        labels.row_axis = "true";
        labels.column_axis = "predicted";
        viz::write_heatmap_png(p, evaluation.confusion.cast<double>(), labels);
      });
  if (!truth.empty()) {
    std::printf("accuracy %.4f (%zu samples)\n", evaluation.accuracy, truth.size());
    for (int c = 0; c < model.classes(); ++c) {
      const double acc = evaluation.class_accuracy[static_cast<std::size_t>(c)];
      std::printf("class %d: accuracy %s (%lld samples)\n", c,
                  std::isnan(acc) ? "n/a" : std::to_string(acc).substr(0, 6).c_str(),
                  static_cast<long long>(evaluation.confusion.row(c).sum()));
    }
  }
}

void add_predict(CLI::App& parent) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = parent.add_subcommand("predict", "Predict labels of N×F features with a trained classifier");
  cmd->add_option("--model", args->model, "Classifier model file from 'classify train'")->required();
  cmd->add_option("--features", args->features, "Features .npy (N×F)")->required();
  cmd->add_option("--out", args->out, "Output labels .npy (N, int64)")->required();
  cmd->add_option("--labels", args->labels, "True labels (IDX or .npy): print accuracy and per-class accuracy");
  cmd->add_option("--confusion-png", args->confusion_png, "Write the confusion matrix as a PNG (needs --labels)");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace

void add_classify_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("classify", "Linear classifiers on features: train, predict");
  cmd->require_subcommand(1);
  add_train(*cmd);
  add_predict(*cmd);
}

}  // namespace sparsecode::cli
