// `learn`'s flags, settings, held-out split, progress reporting and outputs, shared by `sparsecode learn` and `sparsecode-mpi learn`.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/learner_progress.hpp"
#include "sparsecode/sparse/online_learner.hpp"

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
sparse::StopCriteria learn_stop(const LearnArgs& a);
sparse::DictionaryInit learn_init(const LearnArgs& a);
/// The online learner's options for a training set of `training_samples` samples.
sparse::OnlineLearnerOptions online_learner_options(const LearnArgs& a, Index training_samples,
                                                    const std::filesystem::path& checkpoint);

/// Progress line on a terminal and the rows of the CSV log.
class Reporter {
 public:
  explicit Reporter(bool show) : show_(show) {}
  sparse::CallbackResult operator()(const sparse::LearnerProgress& p) {
    rows_.push_back(p);
    if (!show_) return sparse::CallbackResult::proceed;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return sparse::CallbackResult::proceed;
    last_ = now;
    std::fprintf(stderr, "\riter %lld  samples %lld  objective %.6g  held-out %.6g  nnz %.2f  replaced %lld  %.1fs   ",
                 p.iteration, p.samples_seen, p.batch_objective, p.heldout_objective, p.mean_nonzeros,
                 p.atoms_replaced, p.seconds);
    return sparse::CallbackResult::proceed;
  }
  void finish() const {
    if (show_) std::fprintf(stderr, "\n");
  }
  const std::vector<sparse::LearnerProgress>& rows() const { return rows_; }

 private:
  bool show_;
  std::chrono::steady_clock::time_point last_{};
  std::vector<sparse::LearnerProgress> rows_;
};


/// Writes --out, --log, --curve-png and --png, all or nothing.
void write_learn_outputs(const LearnArgs& a, const Matrix<double>& dictionary,
                         const std::vector<sparse::LearnerProgress>& rows);

}  // namespace sparsecode::cli
