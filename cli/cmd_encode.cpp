// `sparsecode encode`: sparse codes of samples on a dictionary (LASSO, non-negative, elastic net or OMP), with a summary.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/encode_job.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npz.hpp"

namespace sparsecode::cli {

namespace {

template <class T>
void run_encode(const EncodeArgs& a) {
  const auto started = std::chrono::steady_clock::now();
  const io::NpyRowReader input(a.input);
  BlockEncoder<T> encoder(a, input);
  const auto n = static_cast<std::size_t>(input.rows());
  const auto k = static_cast<std::size_t>(encoder.atoms());
  EncodeTotals totals;
  if (is_npz_path(a.out)) {
    // scipy's CSR needs every row before its index arrays can be written: the kept values are
    // gathered block by block (never the dense k×N codes), then written at once.
    io::CsrCodes<T> codes(static_cast<Index>(k), io::NpzOptions{}, input.rows());
    encoder.encode_rows(0, input.rows(), [&](const Eigen::Ref<const Matrix<T>>& block) { codes.append(block); },
                        totals);
    totals.report_nonconverged(a);
    io::save_csr_npz(a.out, codes);  // N×k as scipy CSR, written atomically
  } else {
    // The header first (N is known), then each block's codes: memory does not grow with N.
    core::write_file_atomically(a.out, [&](core::OutputFile& out) {
      out.write(io::format_npy_header(io::npy_dtype_of<T>(), false, {n, k}));
      encoder.encode_rows(0, input.rows(), [&](const Eigen::Ref<const Matrix<T>>& codes) {
        out.write(codes.data(), static_cast<std::size_t>(codes.size()) * sizeof(T));
      }, totals);
      totals.report_nonconverged(a);  // throws before the file is committed with --fail-on-nonconverged
    });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!a.quiet) std::printf("%s\n", totals.summary(encoder.solver(), seconds).brief_report().c_str());
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
  add_encode_options(cmd, *args);
  cmd->callback([args, cmd] {
    check_encode_args(*args, *cmd);
    if (args->float32) {
      run_encode<float>(*args);
    } else {
      run_encode<double>(*args);
    }
  });
}

}  // namespace sparsecode::cli
