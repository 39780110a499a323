// `learn`'s flags, settings, held-out split, progress reporting and outputs, shared by `sparsecode learn` and `sparsecode-mpi learn`.
#pragma once

#include <chrono>
#include <limits>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/learner_progress.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/sparse/stop_criteria.hpp"

namespace sparsecode::cli {

using core::Index;
using core::Matrix;

/// The values of learn's flags.
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
  bool stream = false;  ///< --stream: read mini-batches from --input on demand
  bool float32 = false;  ///< --float32: code and update in single precision (online)
  bool fail_on_nonconverged = false;  ///< --fail-on-nonconverged: a training code that did not converge is an error
  std::string solver = "lars";        ///< --solver (Advanced): the coding solver inside the learner
  double tol = 1e-6;                  ///< --tol (Advanced): relative duality gap of the iterative solvers
};

/// Registers every flag of learn on `cmd` (the same set for both executables).
void add_learn_options(CLI::App* cmd, LearnArgs& args);

/// Every check that needs no training data (flag combinations, output paths, --checkpoint);
/// throws UsageError naming the option.
void check_learn_args(const LearnArgs& a, const CLI::App& cmd);

/// The held-out rows of an N-row training set: floor(fraction·N) rows drawn with the seed.
std::vector<char> heldout_mask(Index n, double fraction, std::uint64_t seed);
/// Moves the columns of `data` marked in held[first + i] to `heldout` (order kept within each part).
void split_columns(Matrix<double>& data, const std::vector<char>& held, Index first, Matrix<double>& heldout);
/// Moves a seeded random fraction of the columns to the held-out set (order kept within each part).
void split_heldout(Matrix<double>& data, double fraction, std::uint64_t seed, Matrix<double>& heldout);

sparse::EncodeOptions learn_coding(const LearnArgs& a);
/// One warning line on stderr, even with --quiet, if training codes did not converge.
void warn_nonconverged(const sparse::LearnerProgress& last);
sparse::StopCriteria learn_stop(const LearnArgs& a);
sparse::DictionaryInit learn_init(const LearnArgs& a);
/// The online learner's options for a training set of `training_samples` samples.
sparse::OnlineLearnerOptions online_learner_options(const LearnArgs& a, Index training_samples,
                                                    const std::filesystem::path& checkpoint);

/// Progress line on a terminal (the CSV log's rows come from the learner's history): percent
/// done and ETA, the last held-out objective once there is one; the final state at the end.
class Reporter {
 public:
  Reporter(bool show, const sparse::StopCriteria& stop, Index training_samples)
      : show_(show), stop_(stop), training_samples_(training_samples) {}
  /// Before fit(): the progress the run starts from (non-zero when resumed), for the ETA.
  void start(const sparse::LearnerProgress& p);
  sparse::CallbackResult operator()(const sparse::LearnerProgress& p);
  void finish();

 private:
  void print(std::chrono::steady_clock::time_point now);

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

/// With --fail-on-nonconverged, throws std::runtime_error (one line: how many training codes did
/// not converge, by which iteration, no output written) as soon as `p` counts any, after ending
/// the reporter's progress line; call it from the progress callback, so that learning stops there
/// and no output file is written.
void fail_on_nonconverged(const LearnArgs& a, const sparse::LearnerProgress& p, Reporter& reporter);

/// Writes --out, --log, --curve-png and --png, all or nothing.
void write_learn_outputs(const LearnArgs& a, const Matrix<double>& dictionary,
                         const std::vector<sparse::LearnerProgress>& rows);

}  // namespace sparsecode::cli
