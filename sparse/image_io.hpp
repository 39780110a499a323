// Image loading through stb (PNG, JPEG, PGM, BMP) as grayscale floats in [0, 1], single files or directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sparse/types.hpp"

namespace sparsecode::sparse {

/// A grayscale image: pixels(r, c) in [0, 1], height × width.
struct Image {
  std::string name;        ///< file name it came from (for messages)
  Matrix<double> pixels;   ///< height × width
};

/// Loads one image and converts it to grayscale with ITU-R BT.601 luma
/// (Y = 0.299 R + 0.587 G + 0.114 B; alpha ignored), scaled to [0, 1] (16-bit files by 65535).
/// Throws std::runtime_error naming the file when it cannot be read or decoded.
Image load_image(const std::filesystem::path& path);

/// Images of a directory, read in sorted file-name order.
struct ImageSet {
  std::vector<Image> images;
  std::vector<std::string> warnings;  ///< one per skipped non-image file (the caller decides to show them)
};

/// Loads every image in `dir` (non-recursive) in sorted order. Files whose extension is not an
/// image type (.png .jpg .jpeg .pgm .ppm .bmp, case-insensitive) are skipped with a warning;
/// an image file that cannot be decoded is an error naming the file; a directory with no
/// images (or that does not exist) is an error naming the directory.
ImageSet load_image_directory(const std::filesystem::path& dir);

/// Writes an 8-bit grayscale PNG (row-major, width × height bytes), atomically.
void write_png_gray8(const std::filesystem::path& path, int width, int height,
                     const std::vector<unsigned char>& pixels);

}  // namespace sparsecode::sparse
