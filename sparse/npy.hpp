// NumPy .npy files (format versions 1.0, 2.0, 3.0): header parsing, raw arrays and Eigen views of samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparse/types.hpp"

namespace sparsecode::sparse {

/// A malformed or unsupported .npy file; the message names the file and the problem.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Little-endian element types we read and write ('<f4', '<f8', '|u1', '<i4', '<i8').
enum class NpyDType { float32, float64, uint8, int32, int64 };

std::size_t npy_dtype_size(NpyDType dtype);
/// NumPy's descr string, e.g. "<f8".
std::string npy_dtype_descr(NpyDType dtype);

/// Parsed header of a .npy file.
struct NpyHeader {
  int major_version = 1;               ///< 1, 2 or 3
  NpyDType dtype = NpyDType::float64;
  bool fortran_order = false;
  std::vector<std::size_t> shape;      ///< 1 or 2 dimensions (0-D is rejected)
  std::size_t data_offset = 0;         ///< byte offset of the data (multiple of 64 for files we write)

  std::size_t element_count() const;   ///< product of shape (checked for overflow when parsed)
};

/// A whole array as stored: raw little-endian bytes in the file's order.
struct NpyArray {
  NpyDType dtype = NpyDType::float64;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
  std::vector<unsigned char> bytes;
};

/// Which header version to write. `automatic` picks 1.0 when the header fits in 65535 bytes,
/// else 2.0; 3.0 is written only on request (NumPy uses it for UTF-8 field names).
enum class NpyVersion { automatic, v1, v2, v3 };

/// Whether a float64 file may be read as float32 (or the reverse). Integers are never converted.
enum class NpyConversion { exact, allow_float_conversion };

/// Reads and validates only the header. Throws NpyError naming the problem: unreadable file,
/// bad magic, unsupported version, header longer than 1 MiB or not a dict, big-endian or
/// unknown dtype, bad shape, overflow in the shape product, data size not matching the shape
/// (truncated or trailing bytes).
NpyHeader read_npy_header(const std::filesystem::path& path);

NpyArray read_npy(const std::filesystem::path& path);

/// Writes atomically (temporary file + rename). Throws std::invalid_argument if the byte
/// count does not match dtype and shape.
void write_npy(const std::filesystem::path& path, const NpyArray& array,
               NpyVersion version = NpyVersion::automatic);

/// Reads a 2-D N×d array (samples as rows) as a d×N column-major matrix: for a C-order file
/// this is the file's memory as is. A 1-D array of length n is one sample (d = n, N = 1).
/// Fortran-order files are transposed while reading. Data are read
/// straight into the result (chunked when converting), never holding two full copies. Throws
/// NpyError on a malformed file, a dtype that does not match T (unless `conversion` allows
/// float32<->float64) or a zero-size array.
/// T is one of float, double, std::uint8_t, std::int32_t, std::int64_t.
template <class T>
Matrix<T> load_samples(const std::filesystem::path& path,
                       NpyConversion conversion = NpyConversion::exact);

/// Writes a d×N matrix as an N×d C-order array (samples as rows), atomically.
template <class T>
void save_samples(const std::filesystem::path& path, const Matrix<T>& samples,
                  NpyVersion version = NpyVersion::automatic);

/// 1-D arrays (e.g. biases). Loading also accepts an N×1 or 1×N 2-D array.
template <class T>
Vector<T> load_vector(const std::filesystem::path& path,
                      NpyConversion conversion = NpyConversion::exact);

template <class T>
void save_vector(const std::filesystem::path& path, const Vector<T>& values,
                 NpyVersion version = NpyVersion::automatic);

}  // namespace sparsecode::sparse
