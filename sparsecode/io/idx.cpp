// Reads IDX files through zlib's gz stream (which passes uncompressed files through) and NumPy stacks through io/npy.
#include "sparsecode/io/idx.hpp"

#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>

#include "sparsecode/io/npy.hpp"

namespace sparsecode::io {

namespace {

namespace fs = std::filesystem;

constexpr unsigned char kUnsignedByte = 0x08;
// Data are read in slices of this many bytes, so that a small file declaring a huge shape
// fails on its truncation before the declared size is ever allocated.
constexpr std::size_t kSlice = std::size_t{1} << 26;

bool is_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 6> magic{};
  in.read(magic.data(), magic.size());
  return in.gcount() == 6 && std::memcmp(magic.data(), "\x93NUMPY", 6) == 0;
}

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

class IdxReader {
 public:
  explicit IdxReader(const fs::path& path) : path_(path) {
    if (!fs::exists(path)) throw IdxError(path, "no such file");
    if (fs::is_directory(path)) throw IdxError(path, "is a directory, not an IDX or .npy file");
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) throw IdxError(path, "cannot open for reading");
  }

  // Reads the magic number and dimensions; checks type, rank and that no dimension is zero.
  std::vector<std::size_t> read_header(int rank) {
    unsigned char magic[4];
    if (read_some(magic, 4) != 4) throw IdxError(path_, "too short for an IDX header (4-byte magic number)");
    if (magic[0] != 0 || magic[1] != 0) {
      throw IdxError(path_, "not an IDX file (magic number starts with bytes " + std::to_string(magic[0]) + ", " +
                                std::to_string(magic[1]) + " instead of 0, 0) nor a .npy file");
    }
    if (magic[2] != kUnsignedByte) {
      throw IdxError(path_, "IDX element type 0x" + hex(magic[2]) + " is not supported (only 0x08, unsigned byte)");
    }
    if (magic[3] != rank) {
      throw IdxError(path_, "IDX rank " + std::to_string(magic[3]) + " where " + std::to_string(rank) +
                                " is expected (" + (rank == 3 ? "images N×H×W" : "labels N") + ")");
    }
    std::vector<std::size_t> dims(static_cast<std::size_t>(rank));
    for (std::size_t& d : dims) {
      unsigned char b[4];
      if (read_some(b, 4) != 4) throw IdxError(path_, "file ends inside the IDX dimensions");
      d = std::size_t{b[0]} << 24 | std::size_t{b[1]} << 16 | std::size_t{b[2]} << 8 | b[3];
      if (d == 0) throw IdxError(path_, "IDX dimension of size 0");
    }
    return dims;
  }

  // Reads exactly `count` data bytes, then checks that nothing follows.
  std::vector<unsigned char> read_data(std::size_t count) {
    std::vector<unsigned char> data;
    while (data.size() < count) {
      const std::size_t want = std::min(kSlice, count - data.size());
      const std::size_t at = data.size();
      data.resize(at + want);
      const std::size_t got = read_some(data.data() + at, want);
      if (got < want) {
        throw IdxError(path_, "truncated IDX data: the dimensions need " + std::to_string(count) +
                                  " bytes, the file has " + std::to_string(at + got));
      }
    }
    unsigned char extra;
    if (read_some(&extra, 1) != 0) throw IdxError(path_, "trailing bytes after the IDX data the dimensions declare");
    return data;
  }

 private:
  std::size_t read_some(unsigned char* out, std::size_t bytes) {
    std::size_t done = 0;
    while (done < bytes) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes - done, 1u << 30));
      const int got = gzread(file_.get(), out + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_.get(), &code);
        throw IdxError(path_, std::string("cannot decompress: ") + (message ? message : "zlib error"));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  static std::string hex(unsigned v) {
    const char* digits = "0123456789ABCDEF";
    return std::string{digits[v >> 4], digits[v & 15]};
  }

  fs::path path_;
  std::unique_ptr<gzFile_s, GzCloser> file_;
};

std::size_t checked_product(const fs::path& path, const std::vector<std::size_t>& dims) {
  std::size_t n = 1;
  for (std::size_t d : dims) {
    if (n > std::numeric_limits<std::size_t>::max() / d) throw IdxError(path, "declared size overflows");
    n *= d;
  }
  if (n > static_cast<std::size_t>(std::numeric_limits<Index>::max())) throw IdxError(path, "declared size overflows");
  return n;
}

template <class T>
void copy_stack(const NpyArray& a, Matrix<float>& pixels, std::size_t n, std::size_t h, std::size_t w) {
  const T* v = reinterpret_cast<const T*>(a.bytes.data());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t r = 0; r < h; ++r)
      for (std::size_t c = 0; c < w; ++c) {
        // C order: (i, r, c) at (i·H + r)·W + c; Fortran order: i + N·(r + H·c).
        const std::size_t at = a.fortran_order ? i + n * (r + h * c) : (i * h + r) * w + c;
        pixels(static_cast<Index>(r * w + c), static_cast<Index>(i)) = static_cast<float>(v[at]);
      }
}

ImageStack npy_stack(const fs::path& path) {
  const NpyArray a = read_npy(path, 3);
  if (a.shape.size() != 3) {
    throw IdxError(path, "an image stack must be a 3-D array (N, H, W), got shape " + npy_shape_text(a.shape));
  }
  const std::size_t n = a.shape[0], h = a.shape[1], w = a.shape[2];
  if (n == 0 || h == 0 || w == 0) throw IdxError(path, "image stack of shape " + npy_shape_text(a.shape) + " is empty");
  ImageStack s;
  s.count = static_cast<Index>(n);
  s.height = static_cast<Index>(h);
  s.width = static_cast<Index>(w);
  s.pixels.resize(static_cast<Index>(h * w), static_cast<Index>(n));
  switch (a.dtype) {
    case NpyDType::uint8: copy_stack<std::uint8_t>(a, s.pixels, n, h, w); break;
    case NpyDType::float32: copy_stack<float>(a, s.pixels, n, h, w); break;
    case NpyDType::float64: copy_stack<double>(a, s.pixels, n, h, w); break;
    default:
      throw IdxError(path, "image dtype '" + npy_dtype_descr(a.dtype) + "' is not supported (uint8, float32, float64)");
  }
  if (!s.pixels.allFinite()) throw IdxError(path, "image stack holds NaN or infinite values (or float64 values beyond float32's range)");
  return s;
}

template <class T>
std::vector<int> npy_labels_as(const fs::path& path, const NpyArray& a) {
  const T* v = reinterpret_cast<const T*>(a.bytes.data());
  std::vector<int> labels(a.shape[0]);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const long long label = static_cast<long long>(v[i]);
    if (label < 0 || label > std::numeric_limits<int>::max()) {
      throw IdxError(path, "label " + std::to_string(label) + " at row " + std::to_string(i) +
                               " is out of range (labels are integers ≥ 0)");
    }
    labels[i] = static_cast<int>(v[i]);
  }
  return labels;
}

}  // namespace

ImageStack load_image_stack(const std::filesystem::path& path) {
  if (fs::is_regular_file(path) && is_npy(path)) return npy_stack(path);
  IdxReader in(path);
  const std::vector<std::size_t> dims = in.read_header(3);
  const std::vector<unsigned char> data = in.read_data(checked_product(path, dims));
  ImageStack s;
  s.count = static_cast<Index>(dims[0]);
  s.height = static_cast<Index>(dims[1]);
  s.width = static_cast<Index>(dims[2]);
  // IDX stores each image row-major, images one after another: the d×N column-major layout.
  s.pixels = Eigen::Map<const Eigen::Matrix<unsigned char, Eigen::Dynamic, Eigen::Dynamic>>(
                 data.data(), s.height * s.width, s.count).cast<float>();
  return s;
}

std::vector<int> load_labels(const std::filesystem::path& path) {
  if (fs::is_regular_file(path) && is_npy(path)) {
    const NpyArray a = read_npy(path);
    if (a.shape.size() != 1) throw IdxError(path, "labels must be a 1-D array, got shape " + npy_shape_text(a.shape));
    if (a.shape[0] == 0) throw IdxError(path, "no labels (shape (0,))");
    switch (a.dtype) {
      case NpyDType::uint8: return npy_labels_as<std::uint8_t>(path, a);
      case NpyDType::int32: return npy_labels_as<std::int32_t>(path, a);
      case NpyDType::int64: return npy_labels_as<std::int64_t>(path, a);
      default:
        throw IdxError(path, "label dtype '" + npy_dtype_descr(a.dtype) + "' is not an integer type (uint8, int32, int64)");
    }
  }
  IdxReader in(path);
  const std::vector<std::size_t> dims = in.read_header(1);
  const std::vector<unsigned char> data = in.read_data(checked_product(path, dims));
  return std::vector<int>(data.begin(), data.end());
}

}  // namespace sparsecode::io
