// `sparsecode learn`: learn a dictionary from patches (.npy or sampled from images), online or batch.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "sparsecode/sparse/learning_curve.hpp"
#include "cli/support.hpp"
#include "sparsecode/sparse/batch_learner.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace sparsecode::cli {

namespace {

using core::Index;
using core::Matrix;

struct LearnArgs {
  std::string input, images, whiten = "of", method = "online", init = "patches", checkpoint, out, png, log, curve_png;
  int patch = 12;
  long long count = 50000;
  long long atoms = 0;
  double lambda = 0;
  long long batch_size = 256;
  std::string weighting = "power";
  double rho = 4.0;
  long long epochs = 0, iterations = 0;
  double seconds = 0, heldout_frac = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  bool nonneg_codes = false, nonneg_dict = false, resume = false, quiet = false;
};

Matrix<double> load_training_data(const LearnArgs& a) {
  if (!a.input.empty()) return io::load_samples<double>(a.input, io::NpyConversion::allow_float_conversion);
  io::ImageSet set = load_images_reporting(a.images, a.quiet);
  if (a.whiten == "of") set.images = preprocess::whiten_images(set.images);
  preprocess::PatchOptions p;
  p.size = a.patch;
  p.count = a.count;
  p.seed = a.seed;
  return preprocess::extract_patches(set.images, p);
}

// Moves a seeded random fraction of the columns to the held-out set (order kept within each part).
void split_heldout(Matrix<double>& data, double fraction, std::uint64_t seed, Matrix<double>& heldout) {
  const Index n = data.cols();
  const auto m = static_cast<Index>(std::floor(fraction * static_cast<double>(n)));
  if (m == 0) return;
  std::vector<char> held(static_cast<std::size_t>(n), 0);
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  for (Index i = 0; i < m; ++i) {
    const auto j = static_cast<std::size_t>(i) +
                   static_cast<std::size_t>(core::uniform_below(rng, static_cast<std::uint64_t>(n - i)));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
    held[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = 1;
  }
  Matrix<double> train(data.rows(), n - m);
  heldout.resize(data.rows(), m);
  Index t = 0, h = 0;
  for (Index i = 0; i < n; ++i) {
    if (held[static_cast<std::size_t>(i)]) heldout.col(h++) = data.col(i);
    else train.col(t++) = data.col(i);
  }
  data = std::move(train);
}

// Progress line on a terminal (the CSV log's rows come from the learner's history): percent
// done and ETA, the last held-out objective once there is one; the final state at the end.
class Reporter {
 public:
  Reporter(bool show, const sparse::StopCriteria& stop, Index training_samples)
      : show_(show), stop_(stop), training_samples_(training_samples) {}
  // Before fit(): the progress the run starts from (non-zero when resumed), for the ETA.
  void start(const sparse::LearnerProgress& p) {
    start_fraction_ = sparse::fraction_done(stop_, p, training_samples_);
    started_ = std::chrono::steady_clock::now();
  }
  sparse::CallbackResult operator()(const sparse::LearnerProgress& p) {
    if (!std::isnan(p.heldout_objective)) heldout_ = p.heldout_objective;
    last_row_ = p;
    pending_ = true;
    if (!show_) return sparse::CallbackResult::proceed;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return sparse::CallbackResult::proceed;
    last_ = now;
    print(now);
    return sparse::CallbackResult::proceed;
  }
  void finish() {
    if (!show_) return;
    if (pending_) print(std::chrono::steady_clock::now());
    std::fprintf(stderr, "\n");
  }

 private:
  void print(std::chrono::steady_clock::time_point now) {
    pending_ = false;
    const sparse::LearnerProgress& p = last_row_;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const std::string done =
        percent_and_eta(sparse::fraction_done(stop_, p, training_samples_), start_fraction_, elapsed);
    char heldout[48] = "";
    if (!std::isnan(heldout_)) std::snprintf(heldout, sizeof heldout, "  held-out %.6g", heldout_);
    std::fprintf(stderr, "\r%s  iter %lld  samples %lld  objective %.6g%s  nnz %.2f  replaced %lld  %.1fs   ",
                 done.c_str(), p.iteration, p.samples_seen, p.batch_objective, heldout, p.mean_nonzeros,
                 p.atoms_replaced, p.seconds);
  }

  bool show_;
  sparse::StopCriteria stop_;
  Index training_samples_;
  double start_fraction_ = 0.0;
  double heldout_ = std::numeric_limits<double>::quiet_NaN();
  bool pending_ = false;
  sparse::LearnerProgress last_row_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// The dimension d of the training samples, as far as it is known before loading them: P² for
// patches from images, the header's row length for a 2-D .npy (0 when unknown).
Index known_dimension(const LearnArgs& a) {
  return a.images.empty() ? npy_row_length(a.input) : static_cast<Index>(a.patch) * a.patch;
}

// Every check that needs no training data runs before any work, so that a bad option costs
// no training and leaves no file behind.
void check_learn_args(const LearnArgs& a, const CLI::App& cmd) {
  if (a.resume && a.checkpoint.empty()) throw UsageError("--resume needs --checkpoint DIR");
  for (const char* opt : {"--patch", "--count", "--whiten"}) {
    if (cmd.count(opt) > 0 && a.images.empty()) throw UsageError(std::string(opt) + " applies only with --images");
  }
  check_output_paths({{"--out", a.out}, {"--png", a.png}, {"--log", a.log}, {"--curve-png", a.curve_png}});
  if (!a.checkpoint.empty() && std::filesystem::exists(a.checkpoint) && !std::filesystem::is_directory(a.checkpoint)) {
    throw UsageError("--checkpoint: '" + a.checkpoint + "' is not a directory");
  }
  if (!a.png.empty()) check_square_patches("--png", known_dimension(a));
}

void run_learn(const LearnArgs& a, const CLI::App& cmd) {
  check_learn_args(a, cmd);
  const bool online = a.method == "online";
  sparse::EncodeOptions coding = sparse::default_coding();
  coding.penalty.lambda = a.lambda;
  coding.penalty.sign = a.nonneg_codes ? solvers::CodeSign::nonnegative : solvers::CodeSign::any;
  coding.threads = a.threads;
  sparse::StopCriteria stop;
  stop.epochs = a.epochs;
  stop.iterations = a.iterations;
  stop.seconds = a.seconds;
  if (a.epochs == 0 && a.iterations == 0 && a.seconds == 0) {
    stop.epochs = online ? 1 : 0;
    stop.iterations = online ? 0 : 30;
  }
  if (!online && a.epochs > 0) {  // one batch iteration is one pass over the data
    stop.iterations = a.epochs;
    stop.epochs = 0;
  }
  const sparse::DictionaryInit init = a.init == "patches"    ? sparse::DictionaryInit::data_patches
                                      : a.init == "gaussian" ? sparse::DictionaryInit::gaussian
                                                             : sparse::DictionaryInit::given;
  const sparse::DictionarySign dict_sign = a.nonneg_dict ? sparse::DictionarySign::nonnegative : sparse::DictionarySign::any;
  Matrix<double> given;
  if (init == sparse::DictionaryInit::given) {
    given = io::load_samples<double>(a.init, io::NpyConversion::allow_float_conversion);
  }

  Matrix<double> data = load_training_data(a);
  sparse::check_finite_data(data, "training data");  // before the checkpoint directory is made
  if (!a.png.empty()) check_square_patches("--png", data.rows());
  Matrix<double> heldout;
  split_heldout(data, a.heldout_frac, a.seed, heldout);
  if (init == sparse::DictionaryInit::given && given.rows() != data.rows()) {
    throw std::runtime_error(a.init + ": initial dictionary has d = " + std::to_string(given.rows()) +
                             ", the data d = " + std::to_string(data.rows()));
  }
  std::filesystem::path ckpt;
  if (!a.checkpoint.empty()) {
    std::filesystem::create_directories(a.checkpoint);
    ckpt = std::filesystem::path(a.checkpoint) / (online ? "online.ckpt" : "batch.ckpt");
  }
  const bool resume = a.resume && std::filesystem::exists(ckpt);
  if (a.resume && !resume && !a.quiet) std::cerr << "sparsecode: no checkpoint in " << a.checkpoint << ", starting afresh\n";
  Reporter reporter(isatty(STDERR_FILENO) != 0 && !a.quiet, stop, data.cols());
  const auto report = [&](const sparse::LearnerProgress& p) { return reporter(p); };
  Matrix<double> dictionary;
  sparse::LearnerSummary summary;
  std::vector<sparse::LearnerProgress> rows;  // the whole curve, a resumed run's earlier rows too
  if (online) {
    sparse::OnlineLearnerOptions o;
    o.atoms = a.atoms;
    o.coding = coding;
    o.dictionary_sign = dict_sign;
    o.batch_size = a.batch_size;
    o.weighting = a.weighting == "power" ? sparse::PastWeighting::power : sparse::PastWeighting::minibatch;
    o.rho = a.rho;
    o.init = init;
    o.seed = a.seed;
    o.stop = stop;
    o.checkpoint = ckpt;
    // About ten held-out evaluations per epoch.
    o.evaluate_every = std::max<long long>(1, data.cols() / (10 * a.batch_size));
    sparse::OnlineLearner learner(o);
    if (resume) learner.load_checkpoint(ckpt, data.cols());
    else if (init == sparse::DictionaryInit::given) learner.initialize_with(given);
    reporter.start(learner.progress());
    summary = learner.fit(data, heldout, report);
    dictionary = learner.dictionary();
    rows = learner.history();
  } else {
    sparse::BatchLearnerOptions o;
    o.atoms = a.atoms;
    o.coding = coding;
    o.dictionary_sign = dict_sign;
    o.method = a.nonneg_dict ? sparse::DictionaryMethod::bcd : sparse::DictionaryMethod::lagrange_dual;
    o.init = init;
    o.seed = a.seed;
    o.stop = stop;
    o.checkpoint = ckpt;
    sparse::BatchLearner learner(o);
    if (resume) learner.load_checkpoint(ckpt, data.cols());
    else if (init == sparse::DictionaryInit::given) learner.initialize_with(given);
    reporter.start(learner.progress());
    summary = learner.fit(data, heldout, report);
    dictionary = learner.dictionary();
    rows = learner.history();
  }
  reporter.finish();
  write_all_or_nothing({{a.out, [&](const std::filesystem::path& p) { io::save_samples<double>(p, dictionary); }},
                        {a.log, [&](const std::filesystem::path& p) { sparse::write_progress_csv(p, rows); }},
                        {a.curve_png, [&](const std::filesystem::path& p) {
                           sparse::write_learning_curve_png(p, rows);
                         }},
                        {a.png, [&](const std::filesystem::path& p) {
                           viz::MontageOptions m;
                           m.scale = 3;
                           viz::write_montage_png(p, dictionary, m);
                         }}});
  if (!a.quiet) std::cerr << summary.brief_report() << '\n';
}

}  // namespace

void add_learn_command(CLI::App& app) {
  auto args = std::make_shared<LearnArgs>();
  LearnArgs& a = *args;
  CLI::App* cmd = app.add_subcommand(
      "learn",
      "Learn a dictionary D minimizing the mean of ½‖x − Da‖² + λ‖a‖₁ with ‖d_j‖ ≤ 1, by online "
      "mini-batch learning (Mairal et al. 2010) or batch alternating optimization. Writes D.npy as "
      "k×d (atoms as rows).");
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  constexpr std::int64_t ll_max = std::numeric_limits<long long>::max();
  CLI::Option* input = cmd->add_option("--input", a.input, "Training samples .npy (N×d, samples as rows)");
  CLI::Option* images = cmd->add_option("--images", a.images, "Directory of images to sample patches from");
  input->excludes(images);
  cmd->add_option("--patch", a.patch, "Patch side P with --images")->capture_default_str()->check(integer_in(1, int_max));
  cmd->add_option("--count", a.count, "Number of patches with --images")->capture_default_str()->check(integer_in(1, ll_max));
  cmd->add_option("--whiten", a.whiten, "Image whitening with --images: of | none")
      ->capture_default_str()
      ->check(CLI::IsMember({"of", "none"}));
  cmd->add_option("--atoms", a.atoms, "Number of atoms k")->required()->check(integer_in(1, int_max));
  cmd->add_option("--lambda", a.lambda, "Sparsity penalty λ")->required()->check(real_at_least(0.0));
  cmd->add_option("--method", a.method, "online | batch")->capture_default_str()->check(CLI::IsMember({"online", "batch"}));
  cmd->add_option("--batch-size", a.batch_size, "Mini-batch size (online)")->capture_default_str()->check(integer_in(1, int_max));
  cmd->add_option("--weighting", a.weighting,
                  "Down-weighting of past statistics (online): power, beta_t = (1 - 1/t)^rho | minibatch (as scikit-learn)")
      ->capture_default_str()->check(CLI::IsMember({"power", "minibatch"}));
  cmd->add_option("--rho", a.rho, "Exponent rho of --weighting power")->capture_default_str()->check(real_at_least(0.0));
  CLI::Option* epochs = cmd->add_option("--epochs", a.epochs, "Passes over the data (default: 1 online, 30 batch iterations)")
                            ->check(integer_in(1, ll_max));
  CLI::Option* iterations = cmd->add_option("--iterations", a.iterations, "Iterations (mini-batches online)")->check(integer_in(1, ll_max));
  CLI::Option* seconds = cmd->add_option("--seconds", a.seconds, "Training time budget")->check(real_at_least(0.0));
  epochs->excludes(iterations)->excludes(seconds);
  iterations->excludes(seconds);
  cmd->add_option("--heldout-frac", a.heldout_frac, "Fraction of samples held out for evaluation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--seed", a.seed, "Random seed")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--threads", a.threads, "OpenMP threads (0: all cores)")->capture_default_str()->check(integer_in(0, 4096));
  cmd->add_option("--init", a.init, "Initial dictionary: patches | gaussian | D0.npy")->capture_default_str();
  cmd->add_flag("--nonneg-codes", a.nonneg_codes, "Non-negative codes");
  cmd->add_flag("--nonneg-dict", a.nonneg_dict, "Non-negative dictionary");
  cmd->add_option("--checkpoint", a.checkpoint, "Directory for the checkpoint (written every 100 online iterations)");
  cmd->add_flag("--resume", a.resume, "Continue from the checkpoint in --checkpoint DIR");
  cmd->add_flag("--quiet", a.quiet, "No progress line or warnings");
  cmd->add_option("--out", a.out, "Output dictionary .npy (k×d)")->required();
  cmd->add_option("--png", a.png, "Montage of the atoms (PNG)");
  cmd->add_option("--log", a.log, "Learning curve as CSV");
  cmd->add_option("--curve-png", a.curve_png, "Learning curve plot (PNG)");
  cmd->callback([args, cmd] {
    if (args->input.empty() && args->images.empty()) throw UsageError("one of --input or --images is required");
    run_learn(*args, *cmd);
  });
}

}  // namespace sparsecode::cli
