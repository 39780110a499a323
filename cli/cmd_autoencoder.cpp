// `sparsecode autoencoder train|encode|export`: train a sparse autoencoder, encode data, export weights.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/autoencoder/lbfgs_trainer.hpp"
#include "sparsecode/autoencoder/minibatch_trainer.hpp"
#include "sparsecode/autoencoder/model_io.hpp"
#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/viz/curve_plot.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::cli {

namespace {

namespace ae = autoencoder;
namespace fs = std::filesystem;

struct TrainArgs {
  std::string input, out, png, log, curve_png;
  std::string activation = "sigmoid", decoder = "sigmoid", optimizer = "lbfgs";
  long long hidden = 0;
  ae::CostOptions cost;
  int max_iter = 400;
  int epochs = 100;
  long long batch_size = 256;
  double val_frac = 0.1;
  double learning_rate = 0.0;
  int patience = 10;
  double max_norm = 0.0;
  bool tied = false;
  std::uint64_t seed = 0;
  bool quiet = false;
  CLI::Option* max_iter_opt = nullptr;
  CLI::Option* epochs_opt = nullptr;
};

/// Progress rows kept for the CSV log, and a one-line display on a terminal with the percent
/// done of the iteration or epoch `budget` and an ETA (early stopping may end training sooner).
class ProgressReporter {
 public:
  ProgressReporter(bool show, int budget) : show_(show), budget_(budget) {}
  ae::CallbackResult operator()(const ae::Progress& p) {
    std::ostringstream row;
    row.precision(10);
    row << p.iteration << ',' << p.terms.total() << ',' << p.terms.reconstruction << ','
        << p.terms.weight_decay << ',' << p.terms.sparsity << ',' << p.terms.l1 << ','
        << p.terms.mean_rho_hat() << ',';
    if (!std::isnan(p.validation_cost)) {
      row << p.validation_cost;
    }
    row << ',' << p.seconds;
    rows_.push_back(row.str());
    training_.x.push_back(p.iteration);
    training_.y.push_back(p.terms.total());
    validation_.x.push_back(p.iteration);
    validation_.y.push_back(p.validation_cost);
    if (show_) {
      const double fraction = budget_ > 0 ? std::min(1.0, static_cast<double>(p.iteration) / budget_) : 0.0;
      std::fprintf(stderr, "\r%s  iter %5d  cost %.6f  mean rho_hat %.5f  %.1f s   ",
                   percent_and_eta(fraction, 0.0, p.seconds).c_str(), p.iteration, p.terms.total(),
                   p.terms.mean_rho_hat(), p.seconds);
    }
    return ae::CallbackResult::proceed;
  }
  void finish() const {
    if (show_ && !rows_.empty()) {
      std::fputc('\n', stderr);
    }
  }
  void write_csv(const fs::path& path) const {
    std::ofstream out(path, std::ios::trunc);
    out << "iteration,cost,reconstruction,weight_decay,sparsity,l1,mean_rho_hat,validation_cost,"
           "seconds\n";
    for (const std::string& row : rows_) {
      out << row << '\n';
    }
    out.close();
    if (!out) {
      throw std::runtime_error(path.string() + ": cannot write the log");
    }
  }
  void write_curve_png(const fs::path& path, const std::string& x_label) const {
    viz::write_curve_png(path, {training_, validation_}, {"Sparse autoencoder", x_label, "cost J"});
  }

 private:
  bool show_;
  int budget_;
  std::vector<std::string> rows_;
  viz::CurveSeries training_{{}, {}, 0, 2, "training cost"};
  viz::CurveSeries validation_{{}, {}, 150, 2, "validation cost"};
};

void run_train(TrainArgs& a) {
  const bool lbfgs = a.optimizer == "lbfgs";
  if (lbfgs && a.epochs_opt->count() > 0) {
    throw UsageError("--epochs applies to --optimizer adam|sgd; use --max-iter with lbfgs");
  }
  if (!lbfgs && a.max_iter_opt->count() > 0) {
    throw UsageError("--max-iter applies to --optimizer lbfgs; use --epochs with adam|sgd");
  }
  ae::Architecture arch;
  arch.hidden = a.hidden;
  arch.activation = a.activation == "relu" ? ae::Activation::relu : ae::Activation::sigmoid;
  arch.decoder = a.decoder == "linear" ? ae::Decoder::linear : ae::Decoder::sigmoid;
  arch.tying = a.tied ? ae::Tying::tied : ae::Tying::untied;
  ae::LbfgsOptions lbfgs_options;
  lbfgs_options.max_iterations = a.max_iter;
  ae::MinibatchOptions minibatch_options;
  minibatch_options.method = a.optimizer == "adam" ? ae::MinibatchMethod::adam : ae::MinibatchMethod::sgd_momentum;
  minibatch_options.epochs = a.epochs;
  minibatch_options.batch_size = a.batch_size;
  if (a.learning_rate > 0.0) {
    minibatch_options.learning_rate = a.learning_rate;
  } else if (minibatch_options.method == ae::MinibatchMethod::sgd_momentum) {
    minibatch_options.learning_rate = 0.1;
  }
  minibatch_options.patience = a.patience;
  minibatch_options.max_norm = a.max_norm;
  minibatch_options.seed = a.seed;
  // Every option and output path is checked before any work, so that a bad one costs no
  // training and leaves no file behind.
  try {
    a.cost.validate();
    if (lbfgs) {
      lbfgs_options.validate();
    } else {
      minibatch_options.validate();
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  check_output_paths({{"--out", a.out}, {"--png", a.png}, {"--log", a.log}, {"--curve-png", a.curve_png}},
                     {{"--input", a.input}});
  if (!a.png.empty()) check_square_patches("--png", npy_row_length(a.input));
  const core::Matrix<double> x =
      io::load_samples<double>(a.input, io::NpyConversion::allow_float_conversion);
  arch.input_dim = x.rows();
  if (!a.png.empty()) check_square_patches("--png", x.rows());
  ae::Model model(arch);
  model.initialize(a.seed);
  ProgressReporter reporter(!a.quiet && ::isatty(STDERR_FILENO) == 1, lbfgs ? a.max_iter : a.epochs);
  const ae::ProgressCallback callback = [&](const ae::Progress& p) { return reporter(p); };
  ae::TrainingSummary summary;
  if (lbfgs) {
    summary = ae::train_lbfgs(model, a.cost, x, lbfgs_options, callback);
  } else {
    const auto [train, validation] = ae::split_validation(x, a.val_frac, a.seed);
    summary = ae::train_minibatch(model, a.cost, train, validation, minibatch_options, callback);
  }
  reporter.finish();
  write_all_or_nothing(
      {{a.out, [&](const fs::path& p) { ae::save_model(p, model, a.cost); }},
       {a.png,
        [&](const fs::path& p) {
          viz::MontageOptions montage;
          montage.scale = 4;
          viz::write_montage_png(p, core::Matrix<double>(model.W1().transpose()), montage);
        }},
       {a.log, [&](const fs::path& p) { reporter.write_csv(p); }},
       {a.curve_png, [&](const fs::path& p) { reporter.write_curve_png(p, lbfgs ? "L-BFGS iteration" : "epoch"); }}});
  if (!a.quiet) {
    std::cerr << summary.brief_report() << '\n';
  }
}

void add_train(CLI::App& parent) {
  auto args = std::make_shared<TrainArgs>();
  TrainArgs& a = *args;
  CLI::App* cmd = parent.add_subcommand(
      "train", "Train a sparse autoencoder (KL sparsity + L1 activity penalties) on an N×d .npy");
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  cmd->add_option("--input", a.input, "Training data .npy (N×d, samples as rows)")->required();
  cmd->add_option("--hidden", a.hidden, "Hidden units h")->required()->check(integer_in(1, int_max));
  cmd->add_option("--out", a.out, "Output model file (.sae)")->required();
  cmd->add_option("--rho", a.cost.rho, "Target mean activation rho in (0, 1)")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--beta", a.cost.beta, "Weight beta of the KL sparsity penalty")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--weight-decay", a.cost.weight_decay, "Weight decay lambda")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--l1", a.cost.l1, "Weight alpha of the L1 activity penalty")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--activation", a.activation, "Hidden nonlinearity: sigmoid | relu")
      ->capture_default_str()
      ->check(CLI::IsMember({"sigmoid", "relu"}));
  cmd->add_option("--decoder", a.decoder, "Output nonlinearity: sigmoid (data in [0, 1]) | linear")
      ->capture_default_str()
      ->check(CLI::IsMember({"sigmoid", "linear"}));
  cmd->add_flag("--tied", a.tied, "Tie the decoder weights: W2 = W1^T");
  cmd->add_option("--optimizer", a.optimizer, "lbfgs (full batch) | adam | sgd (mini-batch)")
      ->capture_default_str()
      ->check(CLI::IsMember({"lbfgs", "adam", "sgd"}));
  a.max_iter_opt = cmd->add_option("--max-iter", a.max_iter, "L-BFGS iterations")
                       ->capture_default_str()
                       ->check(integer_in(1, int_max));
  a.epochs_opt = cmd->add_option("--epochs", a.epochs, "Epochs for adam/sgd")
                     ->capture_default_str()
                     ->check(integer_in(1, int_max));
  a.max_iter_opt->excludes(a.epochs_opt);
  cmd->add_option("--batch-size", a.batch_size, "Mini-batch size (adam/sgd)")
      ->capture_default_str()
      ->check(integer_in(1, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--val-frac", a.val_frac,
                  "Fraction of samples held out for early stopping (adam/sgd), in [0, 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  cmd->add_option("--learning-rate", a.learning_rate, "Step size (default 1e-3 adam, 0.1 sgd)")
      ->check(real_at_least(1e-300));
  cmd->add_option("--patience", a.patience, "Early-stopping patience in epochs")
      ->capture_default_str()
      ->check(integer_in(1, int_max));
  cmd->add_option("--max-norm", a.max_norm, "Max norm of every weight row (0 = off)")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--seed", a.seed, "Seed of the initialisation and shuffling")
      ->capture_default_str()
      ->check(unsigned_integer());
  cmd->add_option("--threads", a.cost.threads, "OpenMP threads (0 = all cores)")
      ->capture_default_str()
      ->check(integer_in(0, 4096));
  cmd->add_option("--png", a.png, "Write a montage of the rows of W1 (square patches)");
  cmd->add_option("--log", a.log, "Write the training curve as CSV");
  cmd->add_option("--curve-png", a.curve_png, "Plot the training (and validation) cost per iteration as PNG");
  cmd->add_flag("--quiet", a.quiet, "No progress line and no summary on stderr");
  cmd->callback([args] { run_train(*args); });
}

void add_encode(CLI::App& parent) {
  struct Args {
    std::string model, input, out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = parent.add_subcommand(
      "encode", "Hidden activations f(W1 x + b1) of N×d data (N×h .npy, or scipy sparse CSR .npz)");
  cmd->add_option("--model", args->model, "Model file from 'autoencoder train'")->required();
  cmd->add_option("--input", args->input, "Data .npy (N×d)")->required();
  cmd->add_option("--out", args->out, "Output N×h: dense .npy, or scipy sparse CSR if it ends in .npz")
      ->required();
  cmd->callback([args] {
    check_output_paths({{"--out", args->out}}, {{"--model", args->model}, {"--input", args->input}});
    const ae::SavedModel saved = ae::load_model(args->model);
    const core::Matrix<double> x =
        io::load_samples<double>(args->input, io::NpyConversion::allow_float_conversion);
    if (x.rows() != saved.model.architecture().input_dim) {
      throw std::runtime_error(args->input + ": samples have d = " + std::to_string(x.rows()) +
                               ", the model " + args->model + " expects d = " +
                               std::to_string(saved.model.architecture().input_dim));
    }
    if (!x.allFinite()) {
      throw std::runtime_error(args->input + ": data contain non-finite values");
    }
    save_codes<double>(args->out, saved.model.encode(x));
  });
}

void add_export(CLI::App& parent) {
  struct Args {
    std::string model, dir;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = parent.add_subcommand(
      "export", "Write W1.npy (h×d), b1.npy (h), W2.npy (d×h), b2.npy (d) into a directory");
  cmd->add_option("--model", args->model, "Model file from 'autoencoder train'")->required();
  cmd->add_option("--dir", args->dir, "Output directory (created if missing)")->required();
  cmd->callback([args] {
    const ae::SavedModel saved = ae::load_model(args->model);
    const ae::Model& m = saved.model;
    const fs::path dir = args->dir;
    if (fs::exists(dir) && !fs::is_directory(dir)) throw UsageError("--dir: '" + args->dir + "' is not a directory");
    fs::create_directories(dir);
    // save_samples writes a d×N matrix as an N×d array, so W (r×c) is passed as Wᵀ.
    const core::Matrix<double> w1 = m.W1().transpose();
    const core::Matrix<double> w2 = m.decoder_weights().transpose();
    write_all_or_nothing({{dir / "W1.npy", [&](const fs::path& p) { io::save_samples<double>(p, w1); }},
                          {dir / "b1.npy", [&](const fs::path& p) { io::save_vector<double>(p, m.b1()); }},
                          {dir / "W2.npy", [&](const fs::path& p) { io::save_samples<double>(p, w2); }},
                          {dir / "b2.npy", [&](const fs::path& p) { io::save_vector<double>(p, m.b2()); }}});
  });
}

}  // namespace

void add_autoencoder_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("autoencoder", "Sparse autoencoder: train, encode, export");
  cmd->require_subcommand(1);
  add_train(*cmd);
  add_encode(*cmd);
  add_export(*cmd);
}

}  // namespace sparsecode::cli
