// Image stacks and labels from IDX files (MNIST's format, raw or gzip) or NumPy arrays.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// A malformed or unsupported image or label file; the message names the file and the problem.
class IdxError : public std::runtime_error {
 public:
  IdxError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(message(file, problem)) {}

 private:
  static std::string message(const std::filesystem::path& file, const std::string& problem) {
    std::string text = "'";  // appended piecewise: GCC 12 warns falsely on "'" + std::string&&
    text += file.string();
    text += "': ";
    text += problem;
    return text;
  }
};

/// N grey images of H×W pixels.
struct ImageStack {
  Index count = 0;
  Index height = 0;
  Index width = 0;
  /// (H·W)×N, one image per column, row-major inside the image (pixel (r, c) at r·W + c), the
  /// stored values as they are (0..255 for unsigned bytes).
  Matrix<float> pixels;
};

/// Reads N×H×W images from
/// - an IDX file (LeCun & Cortes's MNIST format: magic 0x00 0x00 type rank, big-endian 32-bit
///   dimensions, then the data) of unsigned bytes and rank 3, raw or gzip-compressed (zlib
///   detects which), or
/// - a .npy file of shape (N, H, W) and dtype uint8, float32 or float64 (C or Fortran order).
/// The file kind is told by its content, not its name. Throws IdxError (or NpyError) naming the
/// file for: a wrong magic number, another element type or rank, a zero dimension, truncated
/// data or trailing bytes, non-finite values.
ImageStack load_image_stack(const std::filesystem::path& path);

/// Reads N integer labels from an IDX file of unsigned bytes and rank 1 (raw or gzip) or a
/// 1-D .npy array of uint8, int32 or int64. Throws IdxError (or NpyError) naming the file for
/// the problems above and for negative labels.
std::vector<int> load_labels(const std::filesystem::path& path);

}  // namespace sparsecode::io
