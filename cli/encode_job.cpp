// encode's flag definitions, option mapping, summary totals and the block-wise encoder.
#include "cli/encode_job.hpp"

#include <algorithm>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <variant>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/sample_checks.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::cli {

void add_encode_options(CLI::App* cmd, EncodeArgs& args) {
  cmd->add_option("--dict", args.dict, "Dictionary .npy, shape (k, d)")->required();
  cmd->add_option("--input", args.input, "Samples .npy, shape (N, d)")->required();
  cmd->add_option("--lambda", args.lambda,
                  "L1 weight lambda >= 0; required except for --solver omp (there it only scores the "
                  "reported objective, default 0)")
      ->check(real_at_least(0.0));
  cmd->add_option("--solver", args.solver, "lars | cd | fista | ista | fss | omp (default: " +
                                               solvers::solver_name(sparse::EncodeOptions{}.solver) + ")")
      ->check(CLI::IsMember({"lars", "cd", "fista", "ista", "fss", "omp"}));
  cmd->add_flag("--nonneg", args.nonneg, "Non-negative codes");
  cmd->add_option("--l2", args.l2, "Elastic-net weight l2 >= 0")->check(real_at_least(0.0));
  cmd->add_option("--omp-atoms", args.omp_atoms, "OMP sparsity target L (0: no limit)")
      ->check(integer_in(0, std::numeric_limits<int>::max()));
  cmd->add_option("--omp-tol", args.omp_tol, "OMP: stop when ||x - D a||^2 <= EPS")
      ->check(real_at_least(0.0));
  cmd->add_option("--tol", args.tol, "Relative duality gap for iterative solvers (> 0)")
      ->capture_default_str()
      ->check(real_at_least(0.0));
  cmd->add_option("--screening", args.screening,
                  "fista/ista: drop atoms a duality gap proves zero (gap-safe) or not (none)")
      ->capture_default_str()
      ->check(CLI::IsMember({"gap-safe", "none"}));
  cmd->add_option("--polish", args.polish,
                  "fista/ista: once the signs hold between gap checks, try the exact minimiser on them "
                  "(stable-signs) or not (none); kept only if its duality gap certifies it")
      ->capture_default_str()
      ->check(CLI::IsMember({"stable-signs", "none"}));
  cmd->add_option("--arithmetic", args.arithmetic,
                  "lars, fista, ista in double: bulk work in float with the result checked in double "
                  "(mixed), or double throughout (full)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mixed", "full"}));
  cmd->add_option("--threads", args.threads, "Threads (0: all cores); at most one per 64 samples is used")->check(integer_in(0, 4096));
  cmd->add_option("--block-rows", args.block_rows,
                  "Advanced: samples read, coded and written at a time (rounded up to a multiple of 64); "
                  "memory is bounded by this, not by N (codes do not depend on it)")
      ->capture_default_str()
      ->check(integer_in(1, std::numeric_limits<int>::max()))
      ->group("Advanced");
  cmd->add_flag("--float32", args.float32, "Compute in single precision (output float32)");
  cmd->add_flag("--normalize-dict", args.normalize_dict, "Scale atoms with norm > 1 to unit norm");
  cmd->add_flag("--quiet", args.quiet,
                "Do not print the summary (samples that did not converge are still reported on stderr)");
  cmd->add_flag("--fail-on-nonconverged", args.fail_on_nonconverged,
                "Exit 1 without writing --out if any sample did not converge");
  cmd->add_option("--out", args.out,
                  "Output codes, shape (N, k): dense .npy, or scipy sparse CSR if it ends in .npz "
                  "(scipy.sparse.load_npz; its non-zeros are held in memory until written)")
      ->required();
}

void check_encode_args(const EncodeArgs& args, const CLI::App& cmd) {
  if (args.solver != "omp" && cmd.count("--lambda") == 0) {
    throw UsageError("--lambda is required (except for --solver omp)");
  }
  check_output_paths({{"--out", args.out}}, {{"--input", args.input}, {"--dict", args.dict}});
}

sparse::EncodeOptions to_encode_options(const EncodeArgs& a) {
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

void EncodeTotals::add(const sparse::EncodeSummary& block) {
  const auto n = static_cast<double>(block.samples);
  samples += n;
  objective += n * block.mean_objective;
  nonzeros += n * block.mean_nonzeros;
  residual += n * block.mean_relative_residual;
  max_gap = std::max(max_gap, block.max_duality_gap);
  max_relative_gap = std::max(max_relative_gap, block.max_relative_gap);
  not_converged += static_cast<double>(block.not_converged);
  threads = std::max(threads, block.threads);
}

void EncodeTotals::add(const EncodeTotals& other) {
  samples += other.samples;
  objective += other.objective;
  nonzeros += other.nonzeros;
  residual += other.residual;
  max_gap = std::max(max_gap, other.max_gap);
  max_relative_gap = std::max(max_relative_gap, other.max_relative_gap);
  not_converged += other.not_converged;
  threads = std::max(threads, other.threads);
}

sparse::EncodeSummary EncodeTotals::summary(const std::string& solver, double seconds) const {
  sparse::EncodeSummary s;
  s.solver = solver;
  s.samples = static_cast<Index>(samples);
  if (samples > 0) {
    s.mean_objective = objective / samples;
    s.mean_nonzeros = nonzeros / samples;
    s.mean_relative_residual = residual / samples;
  }
  s.max_duality_gap = max_gap;
  s.max_relative_gap = max_relative_gap;
  s.not_converged = static_cast<Index>(not_converged);
  s.seconds = seconds;
  s.threads = threads;
  return s;
}

void EncodeTotals::report_nonconverged(const EncodeArgs& args) const {
  if (not_converged == 0) return;
  const std::string what = std::to_string(static_cast<long long>(not_converged)) + " of " +
                           std::to_string(static_cast<long long>(samples)) +
                           " samples did not converge (iteration cap or numerical trouble)";
  if (args.fail_on_nonconverged) throw std::runtime_error(what + "; no output written (--fail-on-nonconverged)");
  std::cerr << "sparsecode: warning: " << what << '\n';
}

namespace {

template <class T>
Matrix<T> load_dictionary(const EncodeArgs& a, const io::NpyRowReader& input) {
  Matrix<T> dictionary = io::load_samples<T>(a.dict, io::NpyConversion::allow_float_conversion);  // d×k
  if (input.row_length() != dictionary.rows()) {
    throw std::runtime_error(a.input + ": samples have " + std::to_string(input.row_length()) +
                             " values but the atoms of " + a.dict + " have " + std::to_string(dictionary.rows()));
  }
  if (a.normalize_dict) sparse::normalize_atoms(dictionary);
  return dictionary;
}

}  // namespace

template <class T>
BlockEncoder<T>::BlockEncoder(const EncodeArgs& args, const io::NpyRowReader& input)
    : args_(args), input_(input), coder_(to_encode_options(args)) {
  coder_.compute(load_dictionary<T>(args, input));
}

template <class T>
std::string BlockEncoder<T>::solver() const {
  return solvers::solver_name(coder_.options().solver);
}

template <class T>
Index BlockEncoder<T>::alignment() const {
  return coder_.options().chunk_size;
}

template <class T>
void BlockEncoder<T>::encode_rows(Index first, Index last, const std::function<void(const Eigen::Ref<const Matrix<T>>&)>& sink,
                                  EncodeTotals& totals) {
  // Blocks (and `first`, see alignment()) at multiples of the coder's chunk: a chunk's DᵀX is one
  // GEMM whose rounding depends on its column count, so equal chunks give equal codes.
  const Index chunk = alignment();
  const Index block = (static_cast<Index>(args_.block_rows) + chunk - 1) / chunk * chunk;
  if (first % chunk != 0) {
    throw std::invalid_argument("BlockEncoder::encode_rows: first row " + std::to_string(first) +
                                " is not a multiple of " + std::to_string(chunk));
  }
  // One buffer for the samples and one for the codes, sized for a block and reused (a shorter
  // last block uses their leading columns): their memory is allocated and faulted in once.
  const Index widest = std::min(block, std::max<Index>(last - first, 0));
  if (signals_.cols() < widest) signals_.resize(input_.row_length(), widest);
  if (codes_.cols() < widest) codes_.resize(coder_.atoms(), widest);
  for (Index begin = first; begin < last; begin += block) {
    const Index n = std::min(block, last - begin);
    auto signals = signals_.leftCols(n);
    auto codes = codes_.leftCols(n);
    input_.read_into<T>(begin, n, signals, io::NpyConversion::allow_float_conversion);
    try {
      totals.add(coder_.encode(signals, codes));
    } catch (const std::invalid_argument&) {
      // The coder names a bad sample by its column in this block: name its row in the file.
      core::check_samples_finite<T>(signals, args_.input, "sample", [begin](Index j) { return begin + j; });
      throw;
    }
    sink(codes);
  }
}

template class BlockEncoder<float>;
template class BlockEncoder<double>;

}  // namespace sparsecode::cli
