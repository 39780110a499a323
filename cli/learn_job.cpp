// learn's flag definitions, settings, held-out split and outputs (see learn_job.hpp).
#include "cli/learn_job.hpp"

#include <chrono>

#include <cstdio>

#include <algorithm>
#include <cmath>
#include <limits>
#include <iostream>
#include <random>
#include <stdexcept>
#include <variant>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/learning_curve.hpp"
#include "sparsecode/viz/montage.hpp"

namespace sparsecode::cli {

namespace {

// The dimension d of the training samples, as far as it is known before loading them: P² for
// patches from images, the header's row length for a 2-D .npy (0 when unknown).
Index known_dimension(const LearnArgs& a) {
  return a.images.empty() ? npy_row_length(a.input) : static_cast<Index>(a.patch) * a.patch;
}

}  // namespace

// Every check that needs no training data runs before any work, so that a bad option costs
// no training and leaves no file behind.
void check_learn_args(const LearnArgs& a, const CLI::App& cmd) {
  if (a.resume && a.checkpoint.empty()) throw UsageError("--resume needs --checkpoint DIR");
  for (const char* opt : {"--patch", "--count", "--whiten"}) {
    if (cmd.count(opt) > 0 && a.images.empty()) throw UsageError(std::string(opt) + " applies only with --images");
  }
  check_output_paths({{"--out", a.out}, {"--png", a.png}, {"--log", a.log}, {"--curve-png", a.curve_png}},
                     {{"--input", a.input}, {"--init", learn_init(a) == sparse::DictionaryInit::given ? a.init : ""}});
  if (!a.checkpoint.empty() && std::filesystem::exists(a.checkpoint) && !std::filesystem::is_directory(a.checkpoint)) {
    throw UsageError("--checkpoint: '" + a.checkpoint + "' is not a directory");
  }
  if (!a.png.empty()) check_square_patches("--png", known_dimension(a));
  if (a.float32 && a.method != "online") throw UsageError("--float32 applies only with --method online");
}

std::vector<char> heldout_mask(Index n, double fraction, std::uint64_t seed) {
  const auto m = static_cast<Index>(std::floor(fraction * static_cast<double>(n)));
  std::vector<char> held(static_cast<std::size_t>(n), 0);
  if (m == 0) return held;
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  for (Index i = 0; i < m; ++i) {
    const auto j = static_cast<std::size_t>(i) +
                   static_cast<std::size_t>(core::uniform_below(rng, static_cast<std::uint64_t>(n - i)));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
    held[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = 1;
  }
  return held;
}

void split_columns(Matrix<double>& data, const std::vector<char>& held, Index first, Matrix<double>& heldout) {
  const Index n = data.cols();
  Index m = 0;
  for (Index i = 0; i < n; ++i) m += held[static_cast<std::size_t>(first + i)] ? 1 : 0;
  if (m == 0) {
    heldout.resize(data.rows(), 0);
    return;
  }
  Matrix<double> train(data.rows(), n - m);
  heldout.resize(data.rows(), m);
  Index t = 0, h = 0;
  for (Index i = 0; i < n; ++i) {
    if (held[static_cast<std::size_t>(first + i)]) heldout.col(h++) = data.col(i);
    else train.col(t++) = data.col(i);
  }
  data = std::move(train);
}

void split_heldout(Matrix<double>& data, double fraction, std::uint64_t seed, Matrix<double>& heldout) {
  split_columns(data, heldout_mask(data.cols(), fraction, seed), 0, heldout);
}

sparse::EncodeOptions learn_coding(const LearnArgs& a) {
  sparse::EncodeOptions coding = sparse::default_coding();
  coding.penalty.lambda = a.lambda;
  coding.penalty.sign = a.nonneg_codes ? solvers::CodeSign::nonnegative : solvers::CodeSign::any;
  coding.threads = a.threads;
  coding.solver = solvers::parse_solver(a.solver);
  // --tol reaches the solvers that iterate to a duality gap; LARS and feature-sign are exact.
  if (auto* cd = std::get_if<solvers::CoordinateDescentOptions>(&coding.solver)) cd->tolerance = a.tol;
  if (auto* pg = std::get_if<solvers::ProximalGradientOptions>(&coding.solver)) pg->tolerance = a.tol;
  return coding;
}

namespace {

std::string nonconverged_text(const sparse::LearnerProgress& p) {
  return std::to_string(p.not_converged) + " of " + std::to_string(p.samples_seen) +
         " training codes did not converge (iteration cap or numerical trouble)";
}

}  // namespace

void fail_on_nonconverged(const LearnArgs& a, const sparse::LearnerProgress& p, Reporter& reporter) {
  if (!a.fail_on_nonconverged || p.not_converged == 0) return;
  reporter.finish();  // the error starts its own line
  throw std::runtime_error(nonconverged_text(p) + " by iteration " + std::to_string(p.iteration) +
                           "; stopped, no output written (--fail-on-nonconverged)");
}

void warn_nonconverged(const sparse::LearnerProgress& last) {
  if (last.not_converged > 0) std::cerr << "sparsecode: warning: " << nonconverged_text(last) << '\n';
}

sparse::StopCriteria learn_stop(const LearnArgs& a) {
  const bool online = a.method == "online";
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
  return stop;
}

sparse::DictionaryInit learn_init(const LearnArgs& a) {
  return a.init == "patches"    ? sparse::DictionaryInit::data_patches
         : a.init == "gaussian" ? sparse::DictionaryInit::gaussian
                                : sparse::DictionaryInit::given;
}

sparse::OnlineLearnerOptions online_learner_options(const LearnArgs& a, Index training_samples,
                                                    const std::filesystem::path& checkpoint) {
  sparse::OnlineLearnerOptions o;
  o.atoms = a.atoms;
  o.coding = learn_coding(a);
  o.dictionary_sign = a.nonneg_dict ? sparse::DictionarySign::nonnegative : sparse::DictionarySign::any;
  o.batch_size = a.batch_size;
  o.weighting = a.weighting == "power" ? sparse::PastWeighting::power : sparse::PastWeighting::minibatch;
  o.rho = a.rho;
  o.precision = a.float32 ? sparse::OnlineLearnerOptions::Precision::float32
                          : sparse::OnlineLearnerOptions::Precision::float64;
  o.init = learn_init(a);
  o.seed = a.seed;
  o.stop = learn_stop(a);
  o.checkpoint = checkpoint;
  o.evaluate_every = std::max<long long>(1, training_samples / (10 * a.batch_size));
  return o;
}

void Reporter::start(const sparse::LearnerProgress& p) {
  start_fraction_ = sparse::fraction_done(stop_, p, training_samples_);
  started_ = std::chrono::steady_clock::now();
}

sparse::CallbackResult Reporter::operator()(const sparse::LearnerProgress& p) {
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

void Reporter::finish() {
  if (!show_) return;
  if (pending_) print(std::chrono::steady_clock::now());
  std::fprintf(stderr, "\n");
}

void Reporter::print(std::chrono::steady_clock::time_point now) {
  pending_ = false;
  const sparse::LearnerProgress& p = last_row_;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const std::string done = percent_and_eta(sparse::fraction_done(stop_, p, training_samples_), start_fraction_, elapsed);
  char heldout[48] = "";
  if (!std::isnan(heldout_)) std::snprintf(heldout, sizeof heldout, "  held-out %.6g", heldout_);
  std::fprintf(stderr, "\r%s  iter %lld  samples %lld  objective %.6g%s  nnz %.2f  replaced %lld  %.1fs   ",
               done.c_str(), p.iteration, p.samples_seen, p.batch_objective, heldout, p.mean_nonzeros,
               p.atoms_replaced, p.seconds);
}

void write_learn_outputs(const LearnArgs& a, const Matrix<double>& dictionary,
                         const std::vector<sparse::LearnerProgress>& rows) {
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
}

void add_learn_options(CLI::App* cmd, LearnArgs& a) {
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
  cmd->add_flag("--float32", a.float32,
                "Online: code each mini-batch and update the dictionary in single precision (statistics summed "
                "and held-out objective in double; the dictionary written is float64)");
  cmd->add_flag("--nonneg-codes", a.nonneg_codes, "Non-negative codes");
  cmd->add_flag("--nonneg-dict", a.nonneg_dict, "Non-negative dictionary");
  cmd->add_option("--checkpoint", a.checkpoint, "Directory for the checkpoint (written every 100 online iterations)");
  cmd->add_flag("--resume", a.resume, "Continue from the checkpoint in --checkpoint DIR");
  cmd->add_flag("--quiet", a.quiet,
                "No progress line or warnings (training codes that did not converge are still reported on stderr)");
  cmd->add_flag("--fail-on-nonconverged", a.fail_on_nonconverged,
                "Exit 1, stopping at that iteration and writing no output, if any training code did not converge");
  cmd->add_option("--solver", a.solver, "Coding solver inside the learner: lars | cd | fista | ista | fss")
      ->capture_default_str()
      ->check(CLI::IsMember({"lars", "cd", "fista", "ista", "fss"}))
      ->group("Advanced");
  cmd->add_option("--tol", a.tol, "Relative duality gap for the iterative solvers cd, fista, ista (> 0)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group("Advanced");
  cmd->add_flag("--stream", a.stream,
                "Online with --input: read each mini-batch from the file when needed instead of loading it "
                "(each mini-batch's rows read in file order; memory: the held-out rows and 16 bytes per row); same result")
      ->group("Advanced");
  cmd->add_option("--out", a.out, "Output dictionary .npy (k×d)")->required();
  cmd->add_option("--png", a.png, "Montage of the atoms (PNG)");
  cmd->add_option("--log", a.log, "Learning curve as CSV");
  cmd->add_option("--curve-png", a.curve_png, "Learning curve plot (PNG)");
}

}  // namespace sparsecode::cli
