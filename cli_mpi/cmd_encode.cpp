// `sparsecode-mpi encode`: rows split across ranks, each rank writing its codes into one shared output .npy.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/encode_job.hpp"
#include "cli/support.hpp"
#include "cli_mpi/commands.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::cli_mpi {

namespace {

namespace fs = std::filesystem;

std::runtime_error write_error(const std::string& name) {
  return std::runtime_error("cannot write '" + name + "': " + std::strerror(errno));
}

void pwrite_all(int fd, const void* data, std::size_t bytes, std::size_t offset, const std::string& name) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (bytes > 0) {
    const ssize_t put = ::pwrite(fd, p, bytes, static_cast<off_t>(offset));
    if (put < 0) {
      if (errno == EINTR) continue;
      throw write_error(name);
    }
    p += put;
    offset += static_cast<std::size_t>(put);
    bytes -= static_cast<std::size_t>(put);
  }
}

// The shared output while it is written: rank 0 creates "<target>.tmp.<pid>.XXXXXX" beside the
// target (a symbolic link's target is the file replaced), and removes it unless committed.
class SharedOutput {
 public:
  explicit SharedOutput(const std::string& out) : name_(out) {}
  ~SharedOutput() {
    if (!temporary_.empty() && !committed_) ::unlink(temporary_.c_str());
  }
  SharedOutput(const SharedOutput&) = delete;
  SharedOutput& operator=(const SharedOutput&) = delete;

  /// Rank 0: creates the temporary file holding `header`, sized for `data_bytes` more.
  void create(const std::string& header, std::size_t data_bytes) {
    std::error_code error;
    target_ = fs::is_symlink(name_, error) ? fs::weakly_canonical(name_, error) : fs::path(name_);
    std::string pattern = target_.string() + ".tmp." + std::to_string(::getpid()) + ".XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw write_error(name_);
    temporary_ = pattern;
    const bool ok = ::fchmod(fd, 0644) == 0 && ::ftruncate(fd, static_cast<off_t>(header.size() + data_bytes)) == 0;
    if (!ok) {
      const std::runtime_error e = write_error(name_);
      ::close(fd);
      throw e;
    }
    try {
      pwrite_all(fd, header.data(), header.size(), 0, name_);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) throw write_error(name_);
  }
  const std::string& temporary() const { return temporary_; }
  void set_temporary(const std::string& path) { temporary_ = path; }
  /// Rank 0, after every rank wrote and synced its rows: renames the file into place.
  void commit() {
    if (std::rename(temporary_.c_str(), target_.c_str()) != 0) throw write_error(name_);
    committed_ = true;
  }

 private:
  std::string name_;
  fs::path target_;
  std::string temporary_;
  bool committed_ = false;
};

struct MpiEncodeArgs {
  cli::EncodeArgs encode;
  int fail_rank = -1;  ///< test hook: this rank fails while coding its rows
};

template <class T>
void run_encode(const Session& session, const MpiEncodeArgs& m) {
  const cli::EncodeArgs& a = m.encode;
  const auto started = std::chrono::steady_clock::now();
  session.step([&] {
    if (session.root()) cli::check_output_paths({{"--out", a.out}});
  });
  std::unique_ptr<io::NpyRowReader> input;
  std::unique_ptr<cli::BlockEncoder<T>> encoder;
  session.step([&] {
    input = std::make_unique<io::NpyRowReader>(a.input);
    encoder = std::make_unique<cli::BlockEncoder<T>>(a, *input);
  });
  const auto n = static_cast<std::size_t>(input->rows());
  const auto k = static_cast<std::size_t>(encoder->atoms());
  const std::string header = io::format_npy_header(io::npy_dtype_of<T>(), false, {n, k});
  SharedOutput output(a.out);
  // Only rank 0 removes the temporary (SharedOutput's destructor) when a later step fails.
  session.step([&] {
    if (session.root()) output.create(header, n * k * sizeof(T));
  });
  const std::string temporary = session.broadcast(output.temporary());
  const RowRange range = shard_rows(input->rows(), encoder->alignment(), session.rank(), session.size());
  cli::EncodeTotals totals;
  session.step([&] {
    if (session.rank() == m.fail_rank) throw std::runtime_error("simulated failure (--fail-rank)");
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw write_error(a.out);
    try {
      std::size_t row = static_cast<std::size_t>(range.first);
      encoder->encode_rows(range.first, range.last, [&](const Eigen::Ref<const Matrix<T>>& codes) {
        const std::size_t bytes = static_cast<std::size_t>(codes.size()) * sizeof(T);
        pwrite_all(fd, codes.data(), bytes, header.size() + row * k * sizeof(T), a.out);
        row += static_cast<std::size_t>(codes.cols());
      }, totals);
      if (::fsync(fd) != 0) throw write_error(a.out);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) throw write_error(a.out);
  });
  const std::vector<double> sums = session.sum_in_rank_order(
      {totals.samples, totals.objective, totals.nonzeros, totals.residual, totals.not_converged});
  cli::EncodeTotals all;
  all.samples = sums[0];
  all.objective = sums[1];
  all.nonzeros = sums[2];
  all.residual = sums[3];
  all.not_converged = sums[4];
  MPI_Allreduce(&totals.max_gap, &all.max_gap, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(&totals.max_relative_gap, &all.max_relative_gap, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(&totals.threads, &all.threads, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  // As in `sparsecode encode`: non-converged samples are reported (once), and with
  // --fail-on-nonconverged no rank commits the output.
  session.step([&] {
    if (!session.root()) return;
    all.report_nonconverged(a);
    output.commit();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (session.root() && !a.quiet) {
    std::printf("%s (%d ranks)\n", all.summary(encoder->solver(), seconds).brief_report().c_str(), session.size());
  }
}

}  // namespace

void add_encode_command(CLI::App& app, const Session& session) {
  auto args = std::make_shared<MpiEncodeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "encode",
      "Sparse codes, as `sparsecode encode` (same flags, byte-identical output), with the rows of "
      "--input split across the MPI ranks; each rank writes its codes into the one --out file.");
  cli::add_encode_options(cmd, args->encode);
  cmd->add_option("--fail-rank", args->fail_rank, "Testing: make this rank fail while coding")->group("");
  cmd->callback([args, cmd, &session] {
    cli::check_encode_args(args->encode, *cmd);
    if (cli::is_npz_path(args->encode.out)) {
      throw cli::UsageError("--out: sparsecode-mpi writes dense .npy codes only (each rank writes its rows in place)");
    }
    if (args->encode.float32) {
      run_encode<float>(session, *args);
    } else {
      run_encode<double>(session, *args);
    }
  });
}

}  // namespace sparsecode::cli_mpi
