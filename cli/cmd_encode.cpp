// `sparsecode encode`: sparse codes of samples on a dictionary (LASSO, non-negative, elastic net or OMP), with a summary.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::cli {

namespace {

struct EncodeArgs {
  std::string dict;
  std::string input;
  std::string out;
  std::string solver;
  double lambda = 0.0;
  double l2 = 0.0;
  int omp_atoms = 0;
  double omp_tol = 0.0;
  double tol = 1e-6;
  std::string screening = "none";
  std::string polish = "stable-signs";
  std::string arithmetic = "mixed";
  int threads = 0;
  bool nonneg = false;
  bool float32 = false;
  bool normalize_dict = false;
  bool quiet = false;
  bool fail_on_nonconverged = false;
};

sparse::EncodeOptions to_options(const EncodeArgs& a) {
  sparse::EncodeOptions o;
  if (!a.solver.empty()) o.solver = solvers::parse_solver(a.solver);
  o.penalty.lambda = a.lambda;
  o.penalty.lambda2 = a.l2;
  o.penalty.sign = a.nonneg ? solvers::CodeSign::nonnegative : solvers::CodeSign::any;
  if (!(a.tol > 0.0)) throw UsageError("--tol must be > 0, got " + std::to_string(a.tol));
  o.threads = a.threads;
  const solvers::Arithmetic arithmetic = a.arithmetic == "full" ? solvers::Arithmetic::full : solvers::Arithmetic::mixed;
  // Each flag reaches the solvers that have the setting; the others ignore it.
  if (auto* lars = std::get_if<solvers::LarsOptions>(&o.solver)) lars->arithmetic = arithmetic;
  if (auto* cd = std::get_if<solvers::CoordinateDescentOptions>(&o.solver)) cd->tolerance = a.tol;
  if (auto* pg = std::get_if<solvers::ProximalGradientOptions>(&o.solver)) {
    pg->tolerance = a.tol;
    pg->screening = a.screening == "none" ? solvers::ScreeningRule::none : solvers::ScreeningRule::gap_safe;
    pg->polishing = a.polish == "none" ? solvers::FacePolishing::none : solvers::FacePolishing::stable_signs;
    pg->arithmetic = arithmetic;
  }
  if (auto* omp = std::get_if<solvers::OmpOptions>(&o.solver)) {
    omp->max_atoms = a.omp_atoms;
    omp->residual_tolerance = a.omp_tol;
  }
  return o;
}

template <class T>
void run_encode(const EncodeArgs& a) {
  const sparse::EncodeOptions options = to_options(a);
  const auto conversion = io::NpyConversion::allow_float_conversion;
  core::Matrix<T> dictionary = io::load_samples<T>(a.dict, conversion);  // d×k
  const core::Matrix<T> signals = io::load_samples<T>(a.input, conversion);  // d×N
  if (signals.rows() != dictionary.rows()) {
    throw std::runtime_error(a.input + ": samples have " + std::to_string(signals.rows()) +
                             " values but the atoms of " + a.dict + " have " +
                             std::to_string(dictionary.rows()));
  }
  if (a.normalize_dict) sparse::normalize_atoms(dictionary);
  core::Matrix<T> codes;
  const sparse::EncodeSummary summary = sparse::encode(dictionary, signals, codes, options);
  if (summary.not_converged > 0) {  // shown even with --quiet: these codes are not the minimisers
    const std::string what = std::to_string(summary.not_converged) + " of " + std::to_string(summary.samples) +
                             " samples did not converge (iteration cap or numerical trouble)";
    if (a.fail_on_nonconverged) throw std::runtime_error(what + "; no output written (--fail-on-nonconverged)");
    std::cerr << "sparsecode: warning: " << what << '\n';
  }
  save_codes(a.out, codes);  // N×k, .npz as scipy CSR, written atomically
  if (!a.quiet) std::printf("%s\n", summary.brief_report().c_str());
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto args = std::make_shared<EncodeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "encode",
      "Sparse codes: for every sample x (row of --input) the code a minimising "
      "0.5*||x - D a||^2 + lambda*||a||_1 (+ 0.5*l2*||a||^2; a >= 0 with --nonneg), or OMP. "
      "--dict is k×d (atoms as rows, norms <= 1), --input N×d; --out is N×k (row i = code of "
      "sample i). Prints a summary unless --quiet.");
  cmd->add_option("--dict", args->dict, "Dictionary .npy, shape (k, d)")->required();
  cmd->add_option("--input", args->input, "Samples .npy, shape (N, d)")->required();
  cmd->add_option("--lambda", args->lambda,
                  "L1 weight lambda >= 0; required except for --solver omp (there it only scores the "
                  "reported objective, default 0)")
      ->check(real_at_least(0.0));
  cmd->add_option("--solver", args->solver, "lars | cd | fista | ista | fss | omp (default: " +
                                                solvers::solver_name(sparse::EncodeOptions{}.solver) + ")")
      ->check(CLI::IsMember({"lars", "cd", "fista", "ista", "fss", "omp"}));
  cmd->add_flag("--nonneg", args->nonneg, "Non-negative codes");
  cmd->add_option("--l2", args->l2, "Elastic-net weight l2 >= 0")->check(real_at_least(0.0));
  cmd->add_option("--omp-atoms", args->omp_atoms, "OMP sparsity target L (0: no limit)")
      ->check(integer_in(0, std::numeric_limits<int>::max()));
  cmd->add_option("--omp-tol", args->omp_tol, "OMP: stop when ||x - D a||^2 <= EPS")
      ->check(real_at_least(0.0));
  cmd->add_option("--tol", args->tol, "Relative duality gap for iterative solvers (> 0)")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--screening", args->screening,
                  "fista/ista: drop atoms a duality gap proves zero (gap-safe) or not (none)")
      ->capture_default_str()
      ->check(CLI::IsMember({"gap-safe", "none"}));
  cmd->add_option("--polish", args->polish,
                  "fista/ista: once the signs hold between gap checks, try the exact minimiser on them "
                  "(stable-signs) or not (none); kept only if its duality gap certifies it")
      ->capture_default_str()
      ->check(CLI::IsMember({"stable-signs", "none"}));
  cmd->add_option("--arithmetic", args->arithmetic,
                  "lars, fista, ista in double: bulk work in float with the result checked in double "
                  "(mixed), or double throughout (full)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mixed", "full"}));
  cmd->add_option("--threads", args->threads, "Threads (0: all cores); at most one per 64 samples is used")
      ->check(integer_in(0, 4096));
  cmd->add_flag("--float32", args->float32, "Compute in single precision (output float32)");
  cmd->add_flag("--normalize-dict", args->normalize_dict, "Scale atoms with norm > 1 to unit norm");
  cmd->add_flag("--quiet", args->quiet,
                "Do not print the summary (samples that did not converge are still reported on stderr)");
  cmd->add_flag("--fail-on-nonconverged", args->fail_on_nonconverged,
                "Exit 1 without writing --out if any sample did not converge");
  cmd->add_option("--out", args->out,
                  "Output codes, shape (N, k): dense .npy, or scipy sparse CSR if it ends in .npz "
                  "(scipy.sparse.load_npz)")
      ->required();
  cmd->callback([args, cmd] {
    if (args->solver != "omp" && cmd->count("--lambda") == 0) {
      throw UsageError("--lambda is required (except for --solver omp)");
    }
    if (args->float32) {
      run_encode<float>(*args);
    } else {
      run_encode<double>(*args);
    }
  });
}

}  // namespace sparsecode::cli
