// `encode`'s flags and its block-wise encoding, shared by `sparsecode encode` and `sparsecode-mpi encode`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "sparsecode/core/types.hpp"
#include "sparsecode/io/npy_rows.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace sparsecode::cli {

/// The values of encode's flags.
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
  long long block_rows = 2048;  ///< rows read, coded and written at a time (bounds memory)
  bool nonneg = false;
  bool float32 = false;
  bool normalize_dict = false;
  bool quiet = false;
  bool fail_on_nonconverged = false;
};

/// Registers every flag of encode on `cmd` (the same set for both executables).
void add_encode_options(CLI::App* cmd, EncodeArgs& args);

/// Checks that need the parsed command line: --lambda is required except for --solver omp.
void check_encode_args(const EncodeArgs& args, const CLI::App& cmd);

/// The sparse::EncodeOptions the flags describe; throws UsageError for a bad --tol.
sparse::EncodeOptions to_encode_options(const EncodeArgs& args);

/// Sums of block summaries, combined into one summary (means weighted by samples).
struct EncodeTotals {
  double samples = 0.0;
  double objective = 0.0;  ///< Σ samples·mean_objective over blocks
  double nonzeros = 0.0;
  double residual = 0.0;
  double max_gap = 0.0;
  double max_relative_gap = 0.0;
  double not_converged = 0.0;
  int threads = 0;  ///< the most threads any block ran

  void add(const sparse::EncodeSummary& block);
  void add(const EncodeTotals& other);
  sparse::EncodeSummary summary(const std::string& solver, double seconds) const;
  /// Samples that did not converge are reported on stderr even with --quiet (these codes are
  /// not the minimisers); with --fail-on-nonconverged they are an error (std::runtime_error,
  /// thrown before the output is committed).
  void report_nonconverged(const EncodeArgs& args) const;
};

/// Encodes rows of an .npy input block by block on the dictionary of --dict: reads
/// --block-rows rows, codes them, hands the k×n codes to a sink, in row order. The codes are
/// those `sparse::encode` gives for the whole input (columns are coded independently).
template <class T>
class BlockEncoder {
 public:
  /// Loads --dict (normalised with --normalize-dict) and checks it against the input's d.
  BlockEncoder(const EncodeArgs& args, const io::NpyRowReader& input);
  Index atoms() const { return coder_.atoms(); }
  std::string solver() const;
  /// Rows are coded in chunks of this many from `first`: a range handed to encode_rows() must
  /// start at a multiple of it for its codes to equal those of the whole input bit for bit.
  Index alignment() const;
  /// Rows [first, last) of the input (`first` a multiple of alignment(), else
  /// std::invalid_argument), in blocks of --block-rows rounded up to alignment(); `sink(codes)` receives each block's k×n codes.
  void encode_rows(Index first, Index last, const std::function<void(const Eigen::Ref<const Matrix<T>>& codes)>& sink,
                   EncodeTotals& totals);

 private:
  const EncodeArgs& args_;
  const io::NpyRowReader& input_;
  sparse::SparseCoder<T> coder_;
  Matrix<T> signals_;  // one block's samples and codes, reused: memory is touched once, not per block
  Matrix<T> codes_;
};

}  // namespace sparsecode::cli
