// `sparsecode learn`: learn a dictionary from patches (.npy or sampled from images), online or batch.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/learn_job.hpp"
#include "cli/npy_training_source.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/sample_checks.hpp"
#include "sparsecode/sparse/batch_learner.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace sparsecode::cli {

namespace {

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

void run_learn(const LearnArgs& a, const CLI::App& cmd) {
  check_learn_args(a, cmd);
  const bool online = a.method == "online";
  const sparse::DictionaryInit init = learn_init(a);
  Matrix<double> given;
  if (init == sparse::DictionaryInit::given) {
    given = io::load_samples<double>(a.init, io::NpyConversion::allow_float_conversion);
  }

  Matrix<double> data, heldout;
  std::unique_ptr<io::NpyRowReader> reader;
  std::unique_ptr<NpyTrainingSource> source;
  if (a.stream) {
    if (a.input.empty() || !online) throw UsageError("--stream needs --input and the online method");
    reader = std::make_unique<io::NpyRowReader>(a.input);
    source = std::make_unique<NpyTrainingSource>(*reader, heldout_mask(reader->rows(), a.heldout_frac, a.seed));
    heldout = source->heldout();
    if (a.float32) source->require_float_range();
  } else {
    data = load_training_data(a);
    sparse::check_finite_data(data, "training data");  // before the checkpoint directory is made
    if (a.float32) core::check_samples_fit_float(data, "training data");
    split_heldout(data, a.heldout_frac, a.seed, heldout);
  }
  const Index dimension = a.stream ? source->dimension() : data.rows();
  const Index training_samples = a.stream ? source->samples() : data.cols();
  if (!a.png.empty()) check_square_patches("--png", dimension);
  if (init == sparse::DictionaryInit::given && given.rows() != dimension) {
    throw std::runtime_error(a.init + ": initial dictionary has d = " + std::to_string(given.rows()) +
                             ", the data d = " + std::to_string(dimension));
  }
  std::filesystem::path ckpt;
  if (!a.checkpoint.empty()) {
    std::filesystem::create_directories(a.checkpoint);
    ckpt = std::filesystem::path(a.checkpoint) / (online ? "online.ckpt" : "batch.ckpt");
  }
  const bool resume = a.resume && std::filesystem::exists(ckpt);
  if (a.resume && !resume && !a.quiet) std::cerr << "sparsecode: no checkpoint in " << a.checkpoint << ", starting afresh\n";
  Reporter reporter(isatty(STDERR_FILENO) != 0 && !a.quiet, learn_stop(a), training_samples);
  const auto report = [&](const sparse::LearnerProgress& p) {
    const sparse::CallbackResult result = reporter(p);
    fail_on_nonconverged(a, p, reporter);
    return result;
  };
  Matrix<double> dictionary;
  sparse::LearnerSummary summary;
  std::vector<sparse::LearnerProgress> rows;  // the whole curve, a resumed run's earlier rows too
  if (online) {
    const sparse::OnlineLearnerOptions o = online_learner_options(a, training_samples, ckpt);
    sparse::OnlineLearner learner(o);
    if (resume) learner.load_checkpoint(ckpt, training_samples);
    else if (init == sparse::DictionaryInit::given) learner.initialize_with(given);
    reporter.start(learner.progress());
    summary = a.stream ? learner.fit(*source, heldout, report) : learner.fit(data, heldout, report);
    dictionary = learner.dictionary();
    rows = learner.history();
  } else {
    sparse::BatchLearnerOptions o;
    o.atoms = a.atoms;
    o.coding = learn_coding(a);
    o.dictionary_sign = a.nonneg_dict ? sparse::DictionarySign::nonnegative : sparse::DictionarySign::any;
    o.method = a.nonneg_dict ? sparse::DictionaryMethod::bcd : sparse::DictionaryMethod::lagrange_dual;
    o.init = init;
    o.seed = a.seed;
    o.stop = learn_stop(a);
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
  write_learn_outputs(a, dictionary, rows);
  warn_nonconverged(summary.last);
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
  add_learn_options(cmd, a);
  cmd->callback([args, cmd] {
    if (args->input.empty() && args->images.empty()) throw UsageError("one of --input or --images is required");
    run_learn(*args, *cmd);
  });
}

}  // namespace sparsecode::cli
