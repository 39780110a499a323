// Image loading (PNG, JPEG, BMP through stb; PGM/PPM by a strict reader) as grayscale in [0, 1].
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// A grayscale image: pixels(r, c) in [0, 1], height × width.
struct Image {
  std::string name;        ///< path it was loaded from, as given (for messages)
  Matrix<double> pixels;   ///< height × width
};

/// Limits on what reading an image may cost.
struct ImageReadOptions {
  /// Largest width × height decoded. It is checked against the size the file's header
  /// declares before any pixel is decoded, so a small file declaring a huge image (a
  /// "decompression bomb") fails at once instead of taking gigabytes and minutes. Default
  /// 2^28 = 268,435,456 pixels (16384 × 16384, several times today's largest camera images):
  /// the decoded grayscale image takes 8 bytes a pixel (2 GiB at the cap) plus up to 8 more
  /// while stb decodes (4 channels × 16 bits), so about 4 GiB at most.
  std::int64_t max_pixels = std::int64_t{1} << 28;

  void validate() const;  ///< throws std::invalid_argument unless max_pixels >= 1
};

/// Loads one image and converts it to grayscale with ITU-R BT.601 luma
/// (Y = 0.299 R + 0.587 G + 0.114 B on the stored, gamma-encoded values; alpha ignored),
/// scaled to [0, 1]: 8-bit files by 255, 16-bit files by 65535, PGM/PPM by their maxval.
/// The format is detected from the content (not the extension): PNG, JPEG and BMP go through
/// stb; PGM/PPM (P2, P3, P5, P6, 8- or 16-bit big-endian) through a strict reader, because
/// stb 2.27 ignores maxval, swaps 16-bit samples and accepts truncated rasters. Anything else
/// is an error.
/// Throws std::runtime_error naming the file (and stb's reason) when it cannot be read or
/// decoded, or when its header declares more than `options.max_pixels` pixels.
Image load_image(const std::filesystem::path& path, const ImageReadOptions& options = {});

/// Images of a directory, read in sorted file-name order.
struct ImageSet {
  std::vector<Image> images;
  std::vector<std::string> warnings;  ///< one per skipped non-image file (the caller decides to show them)
};

/// Loads every image in `dir` (non-recursive) in sorted order. Files whose extension is not an
/// image type (.png .jpg .jpeg .pgm .ppm .bmp, case-insensitive) are skipped with a warning;
/// an image file that cannot be decoded is an error naming the file; a directory with no
/// images (or that does not exist) is an error naming the directory.
ImageSet load_image_directory(const std::filesystem::path& dir, const ImageReadOptions& options = {});

/// Writes an 8-bit grayscale PNG (row-major, width × height bytes), atomically. Throws
/// std::invalid_argument if the sizes do not match, std::runtime_error naming the file on failure.
void write_png_gray8(const std::filesystem::path& path, int width, int height,
                     const std::vector<unsigned char>& pixels);

}  // namespace sparsecode::io
