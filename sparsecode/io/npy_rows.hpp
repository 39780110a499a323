// Reads blocks of rows (samples) of an N×d .npy file without loading the whole array.
#pragma once

#include <filesystem>
#include <vector>

#include "sparsecode/core/types.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::io {

/// Rows [first, first + count) of a file, read with one read() call.
struct RowRun {
  Index first = 0;
  Index count = 0;
};

/// The runs that cover the ascending rows sorted[0..n) (repeats allowed): rows at most
/// `max_gap` rows apart (max_gap missing rows between them) share a run, the rows between them
/// read and dropped, and no run is longer than `max_rows` rows (>= 1). Runs are ascending and disjoint.
std::vector<RowRun> row_runs(const Index* sorted, Index n, Index max_gap, Index max_rows);

/// An open N×d .npy file (samples as rows; a 1-D array is one sample) from which any block of
/// consecutive rows is read as a d×count column-major matrix, with the same values
/// load_samples() gives for those columns (float32<->float64 converted the same way when
/// allowed). Reads use pread(): one read per block of a C-order file, one per feature for a
/// Fortran-order file. The header is validated on opening (as read_npy_header does, including
/// the data size). Not copyable; read() is const and may be called from several threads.
class NpyRowReader {
 public:
  /// Throws NpyError naming the file if it cannot be opened or is malformed, or holds no data.
  explicit NpyRowReader(const std::filesystem::path& path);
  ~NpyRowReader();
  NpyRowReader(const NpyRowReader&) = delete;
  NpyRowReader& operator=(const NpyRowReader&) = delete;

  const NpyHeader& header() const { return header_; }
  const std::filesystem::path& file() const { return file_; }
  Index rows() const { return rows_; }        ///< N, the samples
  Index row_length() const { return cols_; }  ///< d, values per sample

  /// Rows [first, first + count) as a d×count matrix. Throws std::invalid_argument if the range
  /// is outside [0, N); NpyError on a dtype mismatch (as load_samples) or a read error.
  template <class T>
  Matrix<T> read(Index first, Index count, NpyConversion conversion = NpyConversion::exact) const;
  /// read() into caller memory `out`, which must be d×count with contiguous columns
  /// (std::invalid_argument otherwise; the leading columns of a larger matrix qualify), so that
  /// a loop over blocks reuses one buffer.
  template <class T>
  void read_into(Index first, Index count, Eigen::Ref<Matrix<T>> out,
                 NpyConversion conversion = NpyConversion::exact) const;

  /// Rows rows[0..count) (any order, repeats allowed) as the columns of a d×count matrix, in
  /// that order, with the values read() gives. The rows are visited in ascending order and
  /// nearby ones read together (row_runs with gaps up to 64 KiB of data and runs up to 4 MiB):
  /// one read() per run instead of one per row, in one forward sweep through the file. After the
  /// first slow read (> 50 µs: not in the page cache) the runs still to read are announced to the
  /// kernel (posix_fadvise WILLNEED), so that it reads them concurrently. Throws
  /// std::invalid_argument for a row outside [0, N), as read() the rest.
  template <class T>
  Matrix<T> gather(const Index* rows, Index count, NpyConversion conversion = NpyConversion::exact) const;

 private:
  void read_bytes(void* destination, std::size_t bytes, std::size_t offset) const;
  /// posix_fadvise(WILLNEED) of runs[0..count) (C order only): the kernel starts reading them all.
  void prefetch(const RowRun* runs, std::size_t count, Index row_bytes) const;

  std::filesystem::path file_;
  NpyHeader header_;
  Index rows_ = 0;
  Index cols_ = 0;
  int fd_ = -1;
};

}  // namespace sparsecode::io
