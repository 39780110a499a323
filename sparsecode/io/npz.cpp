// scipy.sparse CSR .npz files: the CSR arrays as in-memory .npy members of a zip built with libzip.
#include "sparsecode/io/npz.hpp"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::io {
namespace {

namespace fs = std::filesystem;

/// A .npy file in memory: its header, then room for the values.
class NpyMember {
 public:
  NpyMember(std::string name, NpyDType dtype, std::size_t count)
      : name_(std::move(name)), bytes_(format_npy_header(dtype, false, {count})) {
    header_size_ = bytes_.size();
    bytes_.resize(header_size_ + count * npy_dtype_size(dtype));
  }
  /// format.npy: NumPy's 0-D bytes array b'csr' (dtype '|S3'), which format_npy_header does not
  /// produce (it writes 1-D and 2-D numeric arrays only).
  static NpyMember csr_format() {
    std::string dict = "{'descr': '|S3', 'fortran_order': False, 'shape': (), }";
    dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
    dict += '\n';
    NpyMember m;
    m.name_ = "format.npy";
    m.bytes_ = std::string("\x93NUMPY\x01\x00", 8);
    m.bytes_ += static_cast<char>(dict.size() & 0xff);
    m.bytes_ += static_cast<char>(dict.size() >> 8);
    m.bytes_ += dict + "csr";
    return m;
  }
  template <class V>
  void put(std::size_t i, V value) {
    std::memcpy(bytes_.data() + header_size_ + i * sizeof(V), &value, sizeof(V));
  }
  const std::string& name() const { return name_; }
  const std::string& bytes() const { return bytes_; }

 private:
  NpyMember() = default;
  std::string name_;
  std::string bytes_;
  std::size_t header_size_ = 0;
};

std::string zip_message(zip_error_t* error) {
  const std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

/// The zip archive of `members`, built in memory by libzip.
std::string zip_in_memory(const std::vector<NpyMember>& members, bool compress, const fs::path& path) {
  const auto fail = [&](const std::string& why) {
    return std::runtime_error("cannot write '" + path.string() + "': zip: " + why);
  };
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) throw fail(zip_message(&error));
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    zip_source_free(buffer);
    throw fail(zip_message(&error));
  }
  zip_source_keep(buffer);  // the buffer outlives the archive: the bytes are read from it below
  const auto free_buffer = [](zip_source_t* s) { zip_source_free(s); };
  std::unique_ptr<zip_source_t, decltype(free_buffer)> keep(buffer, free_buffer);
  for (const NpyMember& m : members) {
    zip_source_t* source = zip_source_buffer(archive, m.bytes().data(), m.bytes().size(), 0);
    const zip_int64_t index =
        source == nullptr ? -1 : zip_file_add(archive, m.name().c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0 ||
        zip_set_file_compression(archive, static_cast<zip_uint64_t>(index),
                                 compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
      const std::string why = zip_strerror(archive);
      if (source != nullptr && index < 0) zip_source_free(source);
      zip_discard(archive);
      throw fail(why);
    }
  }
  if (zip_close(archive) != 0) {
    const std::string why = zip_strerror(archive);
    zip_discard(archive);
    throw fail(why);
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_source_stat(buffer, &stat) != 0 || zip_source_open(buffer) != 0) {
    throw fail(zip_error_strerror(zip_source_error(buffer)));
  }
  std::string bytes(static_cast<std::size_t>(stat.size), '\0');
  const zip_int64_t read = zip_source_read(buffer, bytes.data(), stat.size);
  zip_source_close(buffer);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) throw fail("cannot read the archive back");
  return bytes;
}

// ---- reading --------------------------------------------------------------------------------

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

class NpzReader {
 public:
  explicit NpzReader(const fs::path& path) : path_(path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) fail("is a directory");
    int code = 0;
    archive_.reset(zip_open(path.c_str(), ZIP_RDONLY, &code));
    if (!archive_) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      fail("cannot open as a zip archive: " + zip_message(&error));
    }
  }

  /// The raw bytes of member `name`.
  std::string member(const std::string& name) const {
    const zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), 0);
    if (index < 0) fail("no member '" + name + "' (not a scipy.sparse .npz file)");
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0) {
      fail(name + ": " + zip_strerror(archive_.get()));
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
        zip_fopen_index(archive_.get(), static_cast<zip_uint64_t>(index), 0), zip_fclose);
    if (!file) fail(name + ": " + zip_strerror(archive_.get()));
    std::string bytes(static_cast<std::size_t>(stat.size), '\0');
    if (zip_fread(file.get(), bytes.data(), stat.size) != static_cast<zip_int64_t>(stat.size)) {
      fail(name + ": cannot read (truncated or corrupt archive)");
    }
    return bytes;
  }

  /// A 1-D numeric member as int64 or double values.
  template <class V>
  std::vector<V> array(const std::string& name) const {
    const std::string bytes = member(name);
    const auto [header, data] = parse(bytes, name);
    if (header.shape.size() != 1) fail(name + " is not 1-D");
    const std::size_t n = header.shape[0];
    std::vector<V> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      switch (header.dtype) {
        case NpyDType::float32: out[i] = static_cast<V>(value<float>(data, i)); break;
        case NpyDType::float64: out[i] = static_cast<V>(value<double>(data, i)); break;
        case NpyDType::int32: out[i] = static_cast<V>(value<std::int32_t>(data, i)); break;
        case NpyDType::int64: out[i] = static_cast<V>(value<std::int64_t>(data, i)); break;
        case NpyDType::uint8: out[i] = static_cast<V>(value<std::uint8_t>(data, i)); break;
      }
    }
    return out;
  }

  /// format.npy holds 'csr' as bytes ('|S3') or as a str ('<U3', UTF-32).
  bool is_csr() const {
    const std::string bytes = member("format.npy");
    const std::size_t offset = data_offset(bytes, "format.npy");
    const std::string data = bytes.substr(offset);
    return data == "csr" || data == std::string("c\0\0\0s\0\0\0r\0\0\0", 12);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw NpzError("npz file '" + path_.string() + "': " + what);
  }

 private:
  template <class V>
  static V value(const char* data, std::size_t i) {
    V v;
    std::memcpy(&v, data + i * sizeof(V), sizeof(V));
    return v;
  }

  std::size_t data_offset(const std::string& bytes, const std::string& name) const {
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(name + " is not a .npy file");
    const int major = static_cast<unsigned char>(bytes[6]);
    const std::size_t prefix = major == 1 ? 10 : 12;
    if ((major != 1 && major != 2 && major != 3) || bytes.size() < prefix) fail(name + ": unsupported .npy version");
    std::size_t length = 0;
    for (std::size_t i = 8; i < prefix; ++i) length |= std::size_t{static_cast<unsigned char>(bytes[i])} << (8 * (i - 8));
    if (length > bytes.size() - prefix) fail(name + ": truncated header");
    return prefix + length;
  }

  std::pair<NpyHeader, const char*> parse(const std::string& bytes, const std::string& name) const {
    const std::size_t offset = data_offset(bytes, name);
    const int major = static_cast<unsigned char>(bytes[6]);
    const std::size_t prefix = major == 1 ? 10 : 12;
    const NpyHeader header = parse_npy_header(std::string_view(bytes).substr(prefix, offset - prefix), major,
                                              offset, fs::path(path_.string() + ":" + name));
    if (header.element_count() * npy_dtype_size(header.dtype) != bytes.size() - offset) {
      fail(name + ": data size does not match its shape " + npy_shape_text(header.shape));
    }
    return {header, bytes.data() + offset};
  }

  fs::path path_;
  std::unique_ptr<zip_t, ArchiveCloser> archive_;
};

}  // namespace

void NpzOptions::validate() const {
  if (!std::isfinite(threshold) || threshold < 0) {
    throw std::invalid_argument("NpzOptions.threshold must be finite and >= 0, got " + std::to_string(threshold));
  }
}

template <class T>
CsrCodes<T>::CsrCodes(Index atoms, const NpzOptions& options, Index expected_rows)
    : atoms_(atoms), options_(options), expected_rows_(expected_rows) {
  if (atoms < 0) throw std::invalid_argument("CsrCodes: atoms must be >= 0, got " + std::to_string(atoms));
  if (expected_rows < 0) {
    throw std::invalid_argument("CsrCodes: expected_rows must be >= 0, got " + std::to_string(expected_rows));
  }
  options_.validate();
}

template <class T>
void CsrCodes<T>::reserve_for_expected_rows() {
  const auto rows = static_cast<double>(std::max<Index>(this->rows(), 1));
  const auto expected = static_cast<double>(expected_rows_);
  const auto nonzeros = static_cast<std::size_t>(1.1 * static_cast<double>(values_.size()) / rows * expected) +
                        static_cast<std::size_t>(atoms_) + 1;  // + the slack entry of append
  row_starts_.reserve(static_cast<std::size_t>(expected_rows_) + 1);
  values_.reserve(nonzeros);
  indices_.reserve(nonzeros);
}

template <class T>
void CsrCodes<T>::append(const Eigen::Ref<const Matrix<T>>& codes) {
  if (codes.rows() != atoms_) {
    throw std::invalid_argument("CsrCodes::append: codes have " + std::to_string(codes.rows()) + " rows, expected " +
                                std::to_string(atoms_) + " (one per atom)");
  }
  const Index n = codes.cols();
  const bool first_block = rows() == 0 && n > 0;
  append_rows(codes);
  if (first_block && expected_rows_ > n) reserve_for_expected_rows();
}

template <class T>
void CsrCodes<T>::append_rows(const Eigen::Ref<const Matrix<T>>& codes) {
  const Index n = codes.cols();
  if (options_.threshold == 0.0) {
    // Exact zeros only: the block's count of non-zeros (NaN included) sizes the arrays once,
    // then each code's non-zeros are compacted straight into them. compact_support may write
    // a few entries past a code's last non-zero, hence the slack while filling.
    std::size_t at = values_.size();
    std::size_t total = at;
    for (Index j = 0; j < n; ++j) total += static_cast<std::size_t>((codes.col(j).array() != T(0)).count());
    const auto slack = static_cast<std::size_t>(core::internal::compact_support_slack);
    values_.resize(total + slack);
    indices_.resize(total + slack);
    for (Index j = 0; j < n; ++j) {
      at += static_cast<std::size_t>(
          core::internal::compact_support(codes.col(j).data(), atoms_, indices_.data() + at, values_.data() + at));
      row_starts_.push_back(static_cast<std::int64_t>(at));
    }
    values_.resize(total);
    indices_.resize(total);
    return;
  }
  const T threshold = static_cast<T>(options_.threshold);
  for (Index j = 0; j < n; ++j) {
    const T* column = codes.col(j).data();
    for (Index i = 0; i < atoms_; ++i) {
      if (!(std::abs(column[i]) <= threshold)) {  // keeps NaN
        values_.push_back(column[i]);
        indices_.push_back(i);
      }
    }
    row_starts_.push_back(static_cast<std::int64_t>(values_.size()));
  }
}

template <class T>
void save_csr_npz(const fs::path& path, const Matrix<T>& codes, const NpzOptions& options) {
  CsrCodes<T> csr(codes.rows(), options);
  csr.append(codes);
  save_csr_npz(path, csr);
}

template <class T>
void save_csr_npz(const fs::path& path, const CsrCodes<T>& codes) {
  const std::size_t nnz = codes.nonzeros();
  const auto k = static_cast<std::size_t>(codes.cols());
  const auto n = static_cast<std::size_t>(codes.rows());
  // scipy's get_index_dtype: int32 unless a dimension or the value count exceeds its range.
  const bool wide = std::max({nnz, k, n}) > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  const NpyDType index_type = wide ? NpyDType::int64 : NpyDType::int32;
  std::vector<NpyMember> members;
  members.reserve(5);  // the references below stay valid
  members.emplace_back("data.npy", npy_dtype_of<T>(), nnz);
  members.emplace_back("indices.npy", index_type, nnz);
  members.emplace_back("indptr.npy", index_type, n + 1);
  const auto put_indices = [&](NpyMember& m, const auto& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (wide) {
        m.put(i, static_cast<std::int64_t>(values[i]));
      } else {
        m.put(i, static_cast<std::int32_t>(values[i]));
      }
    }
  };
  for (std::size_t i = 0; i < nnz; ++i) members[0].put(i, codes.values()[i]);
  put_indices(members[1], codes.indices());
  put_indices(members[2], codes.row_starts());
  members.push_back(NpyMember::csr_format());
  members.emplace_back("shape.npy", NpyDType::int64, 2);
  members.back().put(0, static_cast<std::int64_t>(n));
  members.back().put(1, static_cast<std::int64_t>(k));
  const std::string archive = zip_in_memory(members, codes.options().compress, path);
  core::write_file_atomically(path, [&](core::OutputFile& out) { out.write(archive); });
}

Matrix<double> load_csr_npz(const fs::path& path) {
  const NpzReader in(path);
  if (!in.is_csr()) in.fail("format.npy is not 'csr' (only CSR matrices are read)");
  const std::vector<std::int64_t> shape = in.array<std::int64_t>("shape.npy");
  if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0) in.fail("shape.npy is not a 2-D shape");
  const std::vector<double> data = in.array<double>("data.npy");
  const std::vector<std::int64_t> indices = in.array<std::int64_t>("indices.npy");
  const std::vector<std::int64_t> indptr = in.array<std::int64_t>("indptr.npy");
  const auto rows = static_cast<std::size_t>(shape[0]);
  if (indices.size() != data.size() || indptr.size() != rows + 1 || indptr.front() != 0 ||
      indptr.back() != static_cast<std::int64_t>(data.size())) {
    in.fail("inconsistent CSR arrays (data, indices and indptr sizes)");
  }
  Matrix<double> codes = Matrix<double>::Zero(shape[1], shape[0]);
  for (std::size_t r = 0; r < rows; ++r) {
    if (indptr[r + 1] < indptr[r] || indptr[r + 1] > indptr.back()) {
      in.fail("indptr is not non-decreasing at row " + std::to_string(r));
    }
    for (auto e = indptr[r]; e < indptr[r + 1]; ++e) {
      const std::int64_t column = indices[static_cast<std::size_t>(e)];
      if (column < 0 || column >= shape[1]) in.fail("index " + std::to_string(column) + " outside [0, " + std::to_string(shape[1]) + ")");
      codes(column, static_cast<Index>(r)) = data[static_cast<std::size_t>(e)];
    }
  }
  return codes;
}

template class CsrCodes<float>;
template class CsrCodes<double>;
template void save_csr_npz<float>(const fs::path&, const Matrix<float>&, const NpzOptions&);
template void save_csr_npz<double>(const fs::path&, const Matrix<double>&, const NpzOptions&);
template void save_csr_npz<float>(const fs::path&, const CsrCodes<float>&);
template void save_csr_npz<double>(const fs::path&, const CsrCodes<double>&);

}  // namespace sparsecode::io
