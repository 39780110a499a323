// NpyRowReader: blocks of rows of a .npy file through pread(), converted like load_samples().
#include "sparsecode/io/npy_rows.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <numeric>
#include <span>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace sparsecode::io {

NpyRowReader::NpyRowReader(const std::filesystem::path& path) : file_(path), header_(read_npy_header(path)) {
  if (header_.element_count() == 0) {
    throw NpyError(file_, "zero-size array (shape " + npy_shape_text(header_.shape) + ") where data is needed");
  }
  rows_ = header_.shape.size() == 2 ? static_cast<Index>(header_.shape[0]) : 1;
  cols_ = static_cast<Index>(header_.shape.back());
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw NpyError(file_, std::string("cannot open: ") + std::strerror(errno));
}

NpyRowReader::~NpyRowReader() {
  if (fd_ >= 0) ::close(fd_);
}

void NpyRowReader::read_bytes(void* destination, std::size_t bytes, std::size_t offset) const {
  auto* out = static_cast<unsigned char*>(destination);
  while (bytes > 0) {
    const ssize_t got = ::pread(fd_, out, bytes, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw NpyError(file_, std::string("read error: ") + std::strerror(errno));
    }
    if (got == 0) throw NpyError(file_, "file shrank while being read");
    out += got;
    offset += static_cast<std::size_t>(got);
    bytes -= static_cast<std::size_t>(got);
  }
}

namespace {

// Reads `count` rows starting at `first` stored as S into the d×count matrix `out` (as T).
template <class S, class T>
void read_rows_as(const NpyHeader& header, Index rows, Index cols, Index first, Index count, Eigen::Ref<Matrix<T>> out,
                  const auto& read_bytes) {
  const auto d = static_cast<std::size_t>(cols);
  const auto n = static_cast<std::size_t>(count);
  const bool transpose = header.fortran_order && header.shape.size() == 2;
  if (!transpose) {
    const std::size_t offset = header.data_offset + static_cast<std::size_t>(first) * d * sizeof(S);
    if constexpr (std::is_same_v<S, T>) {
      read_bytes(out.data(), n * d * sizeof(S), offset);
    } else {
      std::vector<S> buffer(n * d);
      read_bytes(buffer.data(), buffer.size() * sizeof(S), offset);
      for (std::size_t t = 0; t < buffer.size(); ++t) out.data()[t] = static_cast<T>(buffer[t]);
    }
    return;
  }
  // Fortran order: feature j of sample i is element i + j·N; one contiguous run per feature.
  std::vector<S> buffer(n);
  for (std::size_t j = 0; j < d; ++j) {
    const std::size_t offset =
        header.data_offset + (j * static_cast<std::size_t>(rows) + static_cast<std::size_t>(first)) * sizeof(S);
    read_bytes(buffer.data(), n * sizeof(S), offset);
    for (std::size_t i = 0; i < n; ++i) out(static_cast<Index>(j), static_cast<Index>(i)) = static_cast<T>(buffer[i]);
  }
}

}  // namespace

template <class T>
Matrix<T> NpyRowReader::read(Index first, Index count, NpyConversion conversion) const {
  Matrix<T> out(cols_, std::max<Index>(count, 0));
  read_into<T>(first, count, out, conversion);
  return out;
}

template <class T>
void NpyRowReader::read_into(Index first, Index count, Eigen::Ref<Matrix<T>> out, NpyConversion conversion) const {
  if (first < 0 || count < 0 || first > rows_ || count > rows_ - first) {
    throw std::invalid_argument("NpyRowReader::read: rows [" + std::to_string(first) + ", " +
                                std::to_string(first + count) + ") outside the " + std::to_string(rows_) +
                                " rows of '" + file_.string() + "'");
  }
  if (out.rows() != cols_ || out.cols() != count || (count > 1 && out.outerStride() != out.rows())) {
    throw std::invalid_argument("NpyRowReader::read_into: destination is " + std::to_string(out.rows()) + "x" +
                                std::to_string(out.cols()) + ", expected " + std::to_string(cols_) + "x" +
                                std::to_string(count) + " with contiguous columns");
  }
  if (count == 0) return;
  auto reader = [this](void* destination, std::size_t bytes, std::size_t offset) {
    read_bytes(destination, bytes, offset);
  };
  const NpyDType stored = header_.dtype;
  const NpyDType wanted = npy_dtype_of<T>();
  if (stored == wanted) {
    read_rows_as<T, T>(header_, rows_, cols_, first, count, out, reader);
    return;
  }
  const std::string mismatch = "dtype mismatch: the file holds '" + npy_dtype_descr(stored) + "', '" +
                               npy_dtype_descr(wanted) + "' was requested";
  if constexpr (std::is_floating_point_v<T>) {
    using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
    if (stored == npy_dtype_of<Other>()) {
      if (conversion != NpyConversion::allow_float_conversion) {
        throw NpyError(file_, mismatch + " (float conversion not allowed)");
      }
      read_rows_as<Other, T>(header_, rows_, cols_, first, count, out, reader);
      return;
    }
  }
  throw NpyError(file_, mismatch);
}

template Matrix<float> NpyRowReader::read<float>(Index, Index, NpyConversion) const;
template Matrix<double> NpyRowReader::read<double>(Index, Index, NpyConversion) const;
template void NpyRowReader::read_into<float>(Index, Index, Eigen::Ref<Matrix<float>>, NpyConversion) const;
template void NpyRowReader::read_into<double>(Index, Index, Eigen::Ref<Matrix<double>>, NpyConversion) const;

void NpyRowReader::prefetch(const RowRun* runs, std::size_t count, Index row_bytes) const {
  if (header_.fortran_order && header_.shape.size() == 2) return;  // a run is d pieces there
  for (const RowRun& run : std::span(runs, count)) {
    const std::size_t offset = header_.data_offset + static_cast<std::size_t>(run.first * row_bytes);
    // Advice only: a failure changes nothing but the speed.
    (void)::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(run.count * row_bytes), POSIX_FADV_WILLNEED);
  }
}

std::vector<RowRun> row_runs(const Index* sorted, Index n, Index max_gap, Index max_rows) {
  std::vector<RowRun> runs;
  for (Index i = 0; i < n; ++i) {
    const Index row = sorted[i];
    if (!runs.empty()) {
      RowRun& last = runs.back();
      const Index end = last.first + last.count;  // one past the run's last row
      if (row < end) continue;                    // a repeat
      if (row - end <= max_gap && row + 1 - last.first <= max_rows) {
        last.count = row + 1 - last.first;
        continue;
      }
    }
    runs.push_back({row, 1});
  }
  return runs;
}

template <class T>
Matrix<T> NpyRowReader::gather(const Index* rows, Index count, NpyConversion conversion) const {
  std::vector<Index> order(static_cast<std::size_t>(std::max<Index>(count, 0)));
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return rows[a] < rows[b]; });
  std::vector<Index> sorted(order.size());
  for (std::size_t p = 0; p < order.size(); ++p) {
    sorted[p] = rows[order[p]];
    if (sorted[p] < 0 || sorted[p] >= rows_) {
      throw std::invalid_argument("NpyRowReader::gather: row " + std::to_string(sorted[p]) + " outside the " +
                                  std::to_string(rows_) + " rows of '" + file_.string() + "'");
    }
  }
  const auto row_bytes = static_cast<Index>(static_cast<std::size_t>(cols_) * npy_dtype_size(header_.dtype));
  const Index max_gap = (Index{64} << 10) / row_bytes;
  const Index max_rows = std::max<Index>(1, (Index{4} << 20) / row_bytes);
  Matrix<T> out(cols_, std::max<Index>(count, 0));
  const std::vector<RowRun> runs = row_runs(sorted.data(), static_cast<Index>(sorted.size()), max_gap, max_rows);
  std::size_t p = 0;
  bool announced = false;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const RowRun& run = runs[r];
    const auto started = std::chrono::steady_clock::now();
    const Matrix<T> block = read<T>(run.first, run.count, conversion);
    // A read that went to the disk (far slower than the page cache): announce the runs still to
    // read, so that the kernel fetches them concurrently instead of one read at a time.
    if (!announced && r + 1 < runs.size() &&
        std::chrono::steady_clock::now() - started > std::chrono::microseconds(50)) {
      prefetch(runs.data() + r + 1, runs.size() - r - 1, row_bytes);
      announced = true;
    }
    for (; p < sorted.size() && sorted[p] < run.first + run.count; ++p) out.col(order[p]) = block.col(sorted[p] - run.first);
  }
  return out;
}

template Matrix<float> NpyRowReader::gather<float>(const Index*, Index, NpyConversion) const;
template Matrix<double> NpyRowReader::gather<double>(const Index*, Index, NpyConversion) const;

}  // namespace sparsecode::io
