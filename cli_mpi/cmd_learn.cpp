// `sparsecode-mpi learn`: online dictionary learning with the training rows sharded across MPI ranks.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/learn_job.hpp"
#include "cli/support.hpp"
#include "cli_mpi/commands.hpp"
#include "cli_mpi/mpi_data_parallel.hpp"
#include "sparsecode/core/sample_checks.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npy_rows.hpp"

namespace sparsecode::cli_mpi {

namespace {

struct MpiLearnArgs {
  cli::LearnArgs learn;
  std::string dump_dictionaries;  ///< test hook: every rank writes its D here as D.rank<R>.npy
  int fail_rank = -1;             ///< test hook: this rank fails while reading its shard
  long long fail_iteration = 0;   ///< test hook: ... or, if > 0, after this iteration (inside fit)
};

// FNV-1a over the dictionary's bytes: equal on every rank iff the ranks agree (checked below).
std::uint64_t fingerprint(const Matrix<double>& dictionary) {
  std::uint64_t hash = 1469598103934665603ULL;
  const auto* bytes = reinterpret_cast<const unsigned char*>(dictionary.data());
  for (std::size_t i = 0; i < static_cast<std::size_t>(dictionary.size()) * sizeof(double); ++i) {
    hash = (hash ^ bytes[i]) * 1099511628211ULL;
  }
  return hash;
}

void check_same_dictionary(const Matrix<double>& dictionary) {
  const unsigned long long mine = fingerprint(dictionary);
  unsigned long long low = 0, high = 0;
  MPI_Allreduce(&mine, &low, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&mine, &high, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
  if (low != high) throw std::runtime_error("internal error: the ranks ended with different dictionaries");
}

void run_learn(const Session& session, const MpiLearnArgs& m, const CLI::App& cmd) {
  const cli::LearnArgs& a = m.learn;
  session.step([&] {
    if (!a.images.empty()) throw cli::UsageError("--images: sparsecode-mpi learn reads --input X.npy only");
    if (a.input.empty()) throw cli::UsageError("--input is required");
    if (a.stream) throw cli::UsageError("--stream: sparsecode-mpi learn holds each rank's shard in memory");
    if (a.method != "online") throw cli::UsageError("--method: sparsecode-mpi learn runs the online method only");
    if (a.seconds > 0 && session.size() > 1) {
      throw cli::UsageError("--seconds: with several ranks each would stop after its own clock; use --iterations or --epochs");
    }
    if (session.root()) cli::check_learn_args(a, cmd);
  });
  // The held-out rows are drawn over the whole file, identically on every rank; each rank reads
  // only its contiguous block of rows and keeps its training and held-out samples.
  Matrix<double> data, heldout, given;
  Index first_training = 0;
  Index training_total = 0;
  session.step([&] {
    const io::NpyRowReader input(a.input);
    const Index n = input.rows();
    const std::vector<char> held = cli::heldout_mask(n, a.heldout_frac, a.seed);
    const RowRange shard = shard_rows(n, 1, session.rank(), session.size());
    for (Index i = 0; i < n; ++i) {
      if (held[static_cast<std::size_t>(i)]) continue;
      if (i < shard.first) ++first_training;
      ++training_total;
    }
    if (session.rank() == m.fail_rank && m.fail_iteration == 0) {
      throw std::runtime_error("simulated failure reading the shard (--fail-rank)");
    }
    data = input.read<double>(shard.first, shard.last - shard.first, io::NpyConversion::allow_float_conversion);
    cli::split_columns(data, held, shard.first, heldout);
    if (data.cols() == 0) {
      throw std::runtime_error(a.input + ": " + std::to_string(n) + " samples leave no training sample for rank " +
                               std::to_string(session.rank()) + " of " + std::to_string(session.size()));
    }
    const std::string what =
        "training data (rows " + std::to_string(shard.first) + " to " + std::to_string(shard.last - 1) + " of " + a.input + ")";
    sparse::check_finite_data(data, what);
    if (a.float32) core::check_samples_fit_float(data, what);
    if (!a.png.empty()) cli::check_square_patches("--png", data.rows());
    if (cli::learn_init(a) == sparse::DictionaryInit::given) {
      given = io::load_samples<double>(a.init, io::NpyConversion::allow_float_conversion);
      if (given.rows() != data.rows()) {
        throw std::runtime_error(a.init + ": initial dictionary has d = " + std::to_string(given.rows()) +
                                 ", the data d = " + std::to_string(data.rows()));
      }
    }
  });
  std::filesystem::path ckpt;
  session.step([&] {
    if (a.checkpoint.empty()) return;
    if (session.root()) std::filesystem::create_directories(a.checkpoint);
    ckpt = std::filesystem::path(a.checkpoint) / "online.ckpt";
  });
  const bool resume = session.broadcast(a.resume && std::filesystem::exists(ckpt) ? "1" : "0") == "1";
  if (a.resume && !resume && !a.quiet && session.root()) {
    std::cerr << "sparsecode-mpi: no checkpoint in " << a.checkpoint << ", starting afresh\n";
  }
  cli::Reporter reporter(session.root() && isatty(STDERR_FILENO) != 0 && !a.quiet, cli::learn_stop(a), training_total);
  sparse::OnlineLearnerOptions options = cli::online_learner_options(a, training_total, ckpt);
  // One rank runs the single-process learner unchanged (results identical to `sparsecode learn`).
  if (session.size() > 1) options.parallel = std::make_shared<MpiDataParallel>(session, first_training, data.cols());
  sparse::OnlineLearner learner(options);
  sparse::LearnerSummary summary;
  session.step([&] {
    if (resume) learner.load_checkpoint(ckpt, training_total);
    else if (cli::learn_init(a) == sparse::DictionaryInit::given) learner.initialize_with(given);
    reporter.start(learner.progress());
    summary = learner.fit(data, heldout, [&](const sparse::LearnerProgress& p) {
      if (session.rank() == m.fail_rank && p.iteration == m.fail_iteration) {
        throw std::runtime_error("simulated failure after iteration " + std::to_string(p.iteration) + " (--fail-rank)");
      }
      const sparse::CallbackResult result = reporter(p);
      // The count is summed over the ranks: every rank stops at the same iteration.
      cli::fail_on_nonconverged(a, p, reporter);
      return result;
    });
  });
  reporter.finish();
  session.step([&] { check_same_dictionary(learner.dictionary()); });
  session.step([&] {
    if (!m.dump_dictionaries.empty()) {
      io::save_samples<double>(std::filesystem::path(m.dump_dictionaries) /
                                   ("D.rank" + std::to_string(session.rank()) + ".npy"),
                               learner.dictionary());
    }
    if (session.root()) cli::write_learn_outputs(a, learner.dictionary(), learner.history());
  });
  if (session.root()) cli::warn_nonconverged(summary.last);
  if (session.root() && !a.quiet) std::cerr << summary.brief_report() << " (" << session.size() << " ranks)\n";
}

}  // namespace

void add_learn_command(CLI::App& app, const Session& session) {
  auto args = std::make_shared<MpiLearnArgs>();
  CLI::App* cmd = app.add_subcommand(
      "learn",
      "Online dictionary learning as `sparsecode learn` (same flags; --input only), data-parallel: "
      "each rank reads its block of rows, codes its share of every mini-batch, and the statistics "
      "are summed over ranks; rank 0 writes the outputs. One rank gives exactly sparsecode learn's "
      "result.");
  cli::add_learn_options(cmd, args->learn);
  cmd->add_option("--dump-rank-dictionaries", args->dump_dictionaries, "Testing: every rank writes its D here")
      ->group("");
  cmd->add_option("--fail-rank", args->fail_rank, "Testing: make this rank fail while reading")->group("");
  cmd->add_option("--fail-iteration", args->fail_iteration, "Testing: --fail-rank fails after this iteration instead")
      ->group("");
  cmd->callback([args, cmd, &session] { run_learn(session, *args, *cmd); });
}

}  // namespace sparsecode::cli_mpi
