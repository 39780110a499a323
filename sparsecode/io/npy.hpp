// NumPy .npy files (format versions 1.0, 2.0, 3.0): header parsing, raw arrays and Eigen views of samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// A malformed or unsupported .npy file; the message names the file and the problem.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// Message "npy file '<file>': <problem>".
  NpyError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error("npy file '" + file.string() + "': " + problem) {}
};

/// Little-endian element types we read and write ('<f4', '<f8', '|u1', '<i4', '<i8').
enum class NpyDType { float32, float64, uint8, int32, int64 };

std::size_t npy_dtype_size(NpyDType dtype);
/// NumPy's descr string as NumPy writes it: "<f4", "<f8", "|u1", "<i4", "<i8".
std::string npy_dtype_descr(NpyDType dtype);

/// The dtype stored for the C++ element type T (float, double, std::uint8_t, std::int32_t,
/// std::int64_t).
template <class T>
constexpr NpyDType npy_dtype_of() {
  if constexpr (std::is_same_v<T, float>) {
    return NpyDType::float32;
  } else if constexpr (std::is_same_v<T, double>) {
    return NpyDType::float64;
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return NpyDType::uint8;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return NpyDType::int32;
  } else {
    static_assert(std::is_same_v<T, std::int64_t>, "npy: unsupported element type");
    return NpyDType::int64;
  }
}

/// Python's repr of a shape tuple, as in headers and messages: "(3,)", "(2, 3)".
std::string npy_shape_text(const std::vector<std::size_t>& shape);

/// Parsed header of a .npy file.
struct NpyHeader {
  int major_version = 1;               ///< 1, 2 or 3
  NpyDType dtype = NpyDType::float64;
  bool fortran_order = false;
  std::vector<std::size_t> shape;      ///< 1 or 2 dimensions (3 where asked for; 0-D is rejected)
  std::size_t data_offset = 0;         ///< byte offset of the data (multiple of 64 for files we write)

  /// Product of shape (1 for no dimensions); throws std::overflow_error if it does not fit in
  /// std::size_t (never for a parsed header: parsing rejects such shapes).
  std::size_t element_count() const;
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

/// Parses the header's dict literal (the text after the preamble, e.g.
/// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }   \n") of a file with the
/// given format version and data offset, and validates dtype and shape (not the data size).
/// `file` only names the file in NpyError messages.
/// Arrays of more than `max_dimensions` dimensions are rejected (samples and vectors: 2; image
/// stacks N×H×W: 3).
NpyHeader parse_npy_header(std::string_view dict_text, int major_version, std::size_t data_offset,
                           const std::filesystem::path& file, std::size_t max_dimensions = 2);

/// The preamble and header NumPy writes for an array of this dtype, order and shape: magic,
/// version, header length, the dict, spare spaces for growing the first axis (the last one for
/// Fortran order) and padding with spaces and a '\n' to a multiple of 64 bytes.
/// `automatic` chooses 1.0 when the header fits its 16-bit length, else 2.0.
/// Throws std::invalid_argument for a shape that is not 1-D or 2-D or whose product overflows.
std::string format_npy_header(NpyDType dtype, bool fortran_order,
                              const std::vector<std::size_t>& shape,
                              NpyVersion version = NpyVersion::automatic);

/// Reads and validates only the header. Throws NpyError naming the file and the problem:
/// cannot open, bad magic, unsupported version, header longer than 1 MiB, header not a dict
/// or malformed (the header is parsed as the Python dict literal it is: keys in any order,
/// exactly 'descr', 'fortran_order' and 'shape'), big-endian or unknown dtype, 0-D or more
/// than 2-D shape, overflow in the shape product, data size not matching the shape
/// (truncated or trailing bytes, with both byte counts).
/// Accepted descr strings: '<f4' '<f8' '<i4' '<i8' '|u1', with '=' (or no byte-order
/// character) as a synonym of '<' (hosts are little-endian), and '<u1' or 'u1' for '|u1'.
NpyHeader read_npy_header(const std::filesystem::path& path);

/// Reads the whole array (any size, including zero-size) with one read into `bytes`.
/// `max_dimensions` as for parse_npy_header (3 for N×H×W image stacks).
NpyArray read_npy(const std::filesystem::path& path, std::size_t max_dimensions = 2);

/// Writes atomically (temporary file + rename). The header is the one NumPy (>= 1.23) writes
/// for the same array, byte for byte: keys sorted, spare spaces for growing the first axis
/// (the last one for Fortran order), padded with spaces and a '\n' so that the data start at a
/// multiple of 64 bytes. Throws std::invalid_argument (before creating any file) if the shape
/// is not 1-D or 2-D or the byte count does not match dtype and shape; std::runtime_error
/// naming the file if writing fails.
void write_npy(const std::filesystem::path& path, const NpyArray& array,
               NpyVersion version = NpyVersion::automatic);

/// Reads a 2-D N×d array (samples as rows) as a d×N column-major matrix: for a C-order file
/// this is the file's memory as is. A 1-D array of length n is one sample (d = n, N = 1).
/// Fortran-order files are transposed while reading (in 1 MiB chunks). Data are read
/// straight into the result (one read for a C-order file of type T; 1 MiB chunks when
/// converting float64 to float32, rounding to nearest, or the reverse), never holding two
/// full copies. Throws
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

/// 1-D arrays (e.g. biases). Loading also accepts an N×1 or 1×N 2-D array; errors as for
/// load_samples, plus NpyError for any other 2-D shape.
template <class T>
Vector<T> load_vector(const std::filesystem::path& path,
                      NpyConversion conversion = NpyConversion::exact);

/// Writes a 1-D array of shape (n,), atomically.
template <class T>
void save_vector(const std::filesystem::path& path, const Vector<T>& values,
                 NpyVersion version = NpyVersion::automatic);

}  // namespace sparsecode::io
