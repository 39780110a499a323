// NumPy .npy arrays: validated reading straight into Eigen storage, and atomic writing.
#include "sparsecode/io/npy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"

namespace sparsecode::io {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxHeaderLength = std::size_t{1} << 20;  // NumPy's own limit is far lower
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;       // buffer for converting/transposing
constexpr unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string hex_bytes(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += i ? " " : "";
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return n ? out : "nothing (empty file)";
}

const char* dtype_name(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::float32: return "float32";
    case NpyDType::float64: return "float64";
    case NpyDType::uint8: return "uint8";
    case NpyDType::int32: return "int32";
    case NpyDType::int64: return "int64";
  }
  return "invalid";
}

// An open .npy file whose header has been parsed and whose data size matches the shape,
// positioned at the first data byte.
class NpyReader {
 public:
  explicit NpyReader(const fs::path& file, std::size_t max_dimensions = 2) : file_(file) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
      throw NpyError(file, "cannot open: it is a directory");
    }
    stream_.reset(std::fopen(file.c_str(), "rb"));
    if (!stream_) {
      throw NpyError(file, std::string("cannot open: ") + std::strerror(errno));
    }
    const std::size_t file_size = size_of_file();

    unsigned char preamble[12] = {};
    const std::size_t got = std::fread(preamble, 1, sizeof preamble, stream_.get());
    check_stream_error();
    if (got < sizeof kMagic || std::memcmp(preamble, kMagic, sizeof kMagic) != 0) {
      throw NpyError(file, "bad magic: not a .npy file (expected 93 4e 55 4d 50 59 = \\x93NUMPY, "
                           "found " + hex_bytes(preamble, std::min(got, sizeof kMagic)) + ")");
    }
    if (got < 8) {
      throw NpyError(file, "file ends inside the preamble (" + std::to_string(got) + " bytes)");
    }
    const int major = preamble[6];
    const int minor = preamble[7];
    if (minor != 0 || major < 1 || major > 3) {
      throw NpyError(file, "unsupported format version " + std::to_string(major) + "." +
                               std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    }
    const std::size_t preamble_size = major == 1 ? 10 : 12;
    if (got < preamble_size) {
      throw NpyError(file, "file ends inside the preamble (" + std::to_string(got) +
                               " bytes; the version " + std::to_string(major) + ".0 preamble has " +
                               std::to_string(preamble_size) + ")");
    }
    std::size_t header_length = 0;
    for (std::size_t i = preamble_size; i-- > 8;) {
      header_length = header_length << 8 | preamble[i];
    }
    if (header_length > kMaxHeaderLength) {
      throw NpyError(file, "header length " + std::to_string(header_length) +
                               " bytes exceeds the 1 MiB limit (1048576 bytes)");
    }
    const std::size_t data_offset = preamble_size + header_length;
    if (data_offset > file_size) {
      throw NpyError(file, "file ends inside the header (the preamble declares " +
                               std::to_string(header_length) + " header bytes, the file has " +
                               std::to_string(file_size - preamble_size) + ")");
    }
    std::string text(header_length, '\0');
    seek(preamble_size);
    read(text.data(), header_length);
    header_ = parse_npy_header(text, major, data_offset, file, max_dimensions);

    const std::size_t needed = header_.element_count() * npy_dtype_size(header_.dtype);
    const std::size_t present = file_size - data_offset;
    if (present != needed) {
      const std::string what = "shape " + npy_shape_text(header_.shape) + " of '" +
                               npy_dtype_descr(header_.dtype) + "' needs " +
                               std::to_string(needed) + " data bytes, the file has " +
                               std::to_string(present) + " after the header";
      if (present < needed) {
        throw NpyError(file, "truncated data: " + what + " (" + std::to_string(needed - present) +
                                 " missing)");
      }
      throw NpyError(file, "trailing bytes: " + what + " (" + std::to_string(present - needed) +
                               " extra)");
    }
  }

  const NpyHeader& header() const { return header_; }
  const fs::path& file() const { return file_; }

  void read(void* destination, std::size_t bytes) {
    if (bytes == 0) {
      return;
    }
    const std::size_t got = std::fread(destination, 1, bytes, stream_.get());
    check_stream_error();
    if (got != bytes) {
      throw NpyError(file_, "file shrank while being read (expected " + std::to_string(bytes) +
                                " more bytes, got " + std::to_string(got) + ")");
    }
  }

 private:
  void check_stream_error() const {
    if (std::ferror(stream_.get())) {
      throw NpyError(file_, std::string("read error: ") + std::strerror(errno));
    }
  }

  void seek(std::size_t offset) {
    if (::fseeko(stream_.get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
      throw NpyError(file_, std::string("cannot seek: ") + std::strerror(errno));
    }
  }

  std::size_t size_of_file() {
    if (::fseeko(stream_.get(), 0, SEEK_END) != 0) {
      throw NpyError(file_, std::string("cannot determine the file size: ") + std::strerror(errno));
    }
    const off_t size = ::ftello(stream_.get());
    if (size < 0) {
      throw NpyError(file_, std::string("cannot determine the file size: ") + std::strerror(errno));
    }
    seek(0);
    return static_cast<std::size_t>(size);
  }

  fs::path file_;
  FilePtr stream_;
  NpyHeader header_;
};

// Where element k of the file goes in the destination. A C-order file (or a 1-D one) is copied
// as is. A Fortran-order N×d file stores element (i, j) at k = i + j·N; the destination is the
// column-major d×N matrix, so it goes to i·d + j.
struct Layout {
  bool transpose = false;
  std::size_t rows = 0;  // N, rows of the file's array
  std::size_t cols = 0;  // d
};

// Reads `count` elements stored as S into `destination` as T, in chunks of kChunkBytes unless
// the bytes can go straight into the destination.
template <class S, class T>
void read_elements(NpyReader& in, T* destination, std::size_t count, const Layout& layout) {
  if constexpr (std::is_same_v<S, T>) {
    if (!layout.transpose) {
      in.read(destination, count * sizeof(T));
      return;
    }
  }
  std::vector<S> buffer(std::min(count, kChunkBytes / sizeof(S)));
  std::size_t i = 0;  // sample index (row of the file's array) of the next element
  std::size_t j = 0;  // feature index (column)
  for (std::size_t first = 0; first < count; first += buffer.size()) {
    const std::size_t n = std::min(buffer.size(), count - first);
    in.read(buffer.data(), n * sizeof(S));
    if (!layout.transpose) {
      std::transform(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n),
                     destination + first, [](S value) { return static_cast<T>(value); });
      continue;
    }
    for (std::size_t t = 0; t < n; ++t) {
      destination[i * layout.cols + j] = static_cast<T>(buffer[t]);
      if (++i == layout.rows) {
        i = 0;
        ++j;
      }
    }
  }
}

// Reads the data as T, converting float32 <-> float64 only when allowed.
template <class T>
void read_as(NpyReader& in, T* destination, std::size_t count, const Layout& layout,
             NpyConversion conversion) {
  const NpyDType stored = in.header().dtype;
  const NpyDType wanted = npy_dtype_of<T>();
  if (stored == wanted) {
    read_elements<T, T>(in, destination, count, layout);
    return;
  }
  const std::string mismatch = std::string("dtype mismatch: the file holds '") +
                               npy_dtype_descr(stored) + "' (" + dtype_name(stored) + "), " +
                               dtype_name(wanted) + " was requested";
  if constexpr (std::is_floating_point_v<T>) {
    using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
    if (stored == npy_dtype_of<Other>()) {
      if (conversion != NpyConversion::allow_float_conversion) {
        throw NpyError(in.file(), mismatch + " (float conversion not allowed)");
      }
      read_elements<Other, T>(in, destination, count, layout);
      return;
    }
  }
  throw NpyError(in.file(), mismatch);
}

void reject_zero_size(const NpyReader& in) {
  if (in.header().element_count() == 0) {
    throw NpyError(in.file(), "zero-size array (shape " + npy_shape_text(in.header().shape) +
                                  ") where data is needed");
  }
}

void write_bytes(const fs::path& path, NpyDType dtype, bool fortran_order,
                 const std::vector<std::size_t>& shape, const void* data, std::size_t bytes,
                 NpyVersion version) {
  const std::string header = format_npy_header(dtype, fortran_order, shape, version);
  NpyHeader check;
  check.shape = shape;
  const std::size_t needed = check.element_count() * npy_dtype_size(dtype);
  if (bytes != needed) {
    throw std::invalid_argument("write_npy: " + std::to_string(bytes) + " data bytes for '" +
                                path.string() + "', but shape " + npy_shape_text(shape) + " of '" +
                                npy_dtype_descr(dtype) + "' needs " + std::to_string(needed));
  }
  core::write_atomically(path, [&](const fs::path& tmp) {
    const auto failed = [&] {
      return std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(errno));
    };
    FilePtr out(std::fopen(tmp.c_str(), "wb"));
    if (!out) {
      throw failed();
    }
    if (std::fwrite(header.data(), 1, header.size(), out.get()) != header.size() ||
        (bytes > 0 && std::fwrite(data, 1, bytes, out.get()) != bytes)) {
      throw failed();
    }
    if (std::fclose(out.release()) != 0) {
      throw failed();
    }
  });
}

}  // namespace

NpyHeader read_npy_header(const std::filesystem::path& path) {
  return NpyReader(path).header();
}

NpyArray read_npy(const std::filesystem::path& path, std::size_t max_dimensions) {
  NpyReader in(path, max_dimensions);
  NpyArray array;
  array.dtype = in.header().dtype;
  array.fortran_order = in.header().fortran_order;
  array.shape = in.header().shape;
  array.bytes.resize(in.header().element_count() * npy_dtype_size(array.dtype));
  in.read(array.bytes.data(), array.bytes.size());
  return array;
}

void write_npy(const std::filesystem::path& path, const NpyArray& array, NpyVersion version) {
  write_bytes(path, array.dtype, array.fortran_order, array.shape, array.bytes.data(),
              array.bytes.size(), version);
}

template <class T>
Matrix<T> load_samples(const std::filesystem::path& path, NpyConversion conversion) {
  NpyReader in(path);
  reject_zero_size(in);
  const std::vector<std::size_t>& shape = in.header().shape;
  Layout layout;
  layout.rows = shape.size() == 2 ? shape[0] : 1;
  layout.cols = shape.back();
  layout.transpose = in.header().fortran_order && shape.size() == 2;
  Matrix<T> samples(static_cast<Index>(layout.cols), static_cast<Index>(layout.rows));
  read_as(in, samples.data(), layout.rows * layout.cols, layout, conversion);
  return samples;
}

template <class T>
void save_samples(const std::filesystem::path& path, const Matrix<T>& samples,
                  NpyVersion version) {
  const auto d = static_cast<std::size_t>(samples.rows());
  const auto n = static_cast<std::size_t>(samples.cols());
  write_bytes(path, npy_dtype_of<T>(), false, {n, d}, samples.data(), n * d * sizeof(T), version);
}

template <class T>
Vector<T> load_vector(const std::filesystem::path& path, NpyConversion conversion) {
  NpyReader in(path);
  const std::vector<std::size_t>& shape = in.header().shape;
  if (shape.size() == 2 && shape[0] != 1 && shape[1] != 1) {
    throw NpyError(path, "expected a vector: a 1-D array or a 2-D array with one row or column, "
                         "got shape " + npy_shape_text(shape));
  }
  reject_zero_size(in);
  // A 1-D array and an N×1 or 1×N array have the same memory in either order.
  const std::size_t n = in.header().element_count();
  Vector<T> values(static_cast<Index>(n));
  read_as(in, values.data(), n, Layout{}, conversion);
  return values;
}

template <class T>
void save_vector(const std::filesystem::path& path, const Vector<T>& values, NpyVersion version) {
  const auto n = static_cast<std::size_t>(values.size());
  write_bytes(path, npy_dtype_of<T>(), false, {n}, values.data(), n * sizeof(T), version);
}

#define SPARSECODE_NPY_INSTANTIATE(T)                                                       \
  template Matrix<T> load_samples<T>(const std::filesystem::path&, NpyConversion);          \
  template void save_samples<T>(const std::filesystem::path&, const Matrix<T>&, NpyVersion); \
  template Vector<T> load_vector<T>(const std::filesystem::path&, NpyConversion);           \
  template void save_vector<T>(const std::filesystem::path&, const Vector<T>&, NpyVersion);

SPARSECODE_NPY_INSTANTIATE(float)
SPARSECODE_NPY_INSTANTIATE(double)
SPARSECODE_NPY_INSTANTIATE(std::uint8_t)
SPARSECODE_NPY_INSTANTIATE(std::int32_t)
SPARSECODE_NPY_INSTANTIATE(std::int64_t)
#undef SPARSECODE_NPY_INSTANTIATE

}  // namespace sparsecode::io
