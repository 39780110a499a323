// Montage of dictionary atoms as an 8-bit grayscale grid (Olshausen–Field display), and its PNG.
#include "sparsecode/viz/montage.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsecode/io/image_io.hpp"

namespace sparsecode::viz {
namespace {

struct PatchShape {
  Index height;
  Index width;
};

PatchShape patch_shape(Index d, const MontageOptions& options) {
  const Index given_h = options.patch_height;
  const Index given_w = options.patch_width;
  if (given_h == 0 && given_w == 0) {
    auto side = static_cast<Index>(std::llround(std::sqrt(static_cast<double>(d))));
    if (side * side != d) {
      throw std::invalid_argument("montage: atom length d = " + std::to_string(d) +
                                  " is not a perfect square; give the patch shape (height x width)");
    }
    return {side, side};
  }
  if (given_h != 0 && given_w != 0) {
    if (given_h * given_w != d) {
      throw std::invalid_argument("montage: patch shape " + std::to_string(given_h) + "x" +
                                  std::to_string(given_w) + " does not match atom length d = " +
                                  std::to_string(d));
    }
    return {given_h, given_w};
  }
  const Index given = given_h != 0 ? given_h : given_w;
  if (d % given != 0) {
    throw std::invalid_argument("montage: atom length d = " + std::to_string(d) +
                                " is not divisible by the patch " +
                                (given_h != 0 ? "height " : "width ") + std::to_string(given));
  }
  return given_h != 0 ? PatchShape{given_h, d / given_h} : PatchShape{d / given_w, given_w};
}

/// Grid side in cells: ceil(sqrt(k)) computed exactly in integers.
Index grid_columns(Index k) {
  auto c = static_cast<Index>(std::sqrt(static_cast<double>(k)));
  while (c * c < k) ++c;
  while (c > 1 && (c - 1) * (c - 1) >= k) --c;
  return c;
}

}  // namespace

void MontageOptions::validate() const {
  if (patch_height < 0) {
    throw std::invalid_argument("MontageOptions::patch_height must be >= 0, got " +
                                std::to_string(patch_height));
  }
  if (patch_width < 0) {
    throw std::invalid_argument("MontageOptions::patch_width must be >= 0, got " +
                                std::to_string(patch_width));
  }
  if (scale < 1) {
    throw std::invalid_argument("MontageOptions::scale must be >= 1, got " + std::to_string(scale));
  }
  if (border < 0) {
    throw std::invalid_argument("MontageOptions::border must be >= 0, got " +
                                std::to_string(border));
  }
}

template <class T>
GrayImage render_montage(const Matrix<T>& atoms, const MontageOptions& options) {
  options.validate();
  const Index d = atoms.rows();
  const Index k = atoms.cols();
  if (d == 0 || k == 0) {
    throw std::invalid_argument("montage: the dictionary is empty (" + std::to_string(k) +
                                " atoms of length " + std::to_string(d) + ")");
  }
  if (!atoms.allFinite()) {
    throw std::invalid_argument("montage: the dictionary contains a non-finite value");
  }
  const PatchShape shape = patch_shape(d, options);
  const Index columns = grid_columns(k);
  const Index rows = (k + columns - 1) / columns;
  const Index cell_h = shape.height * options.scale;
  const Index cell_w = shape.width * options.scale;
  // Sizes in double first: a huge scale must be an error, not an integer overflow.
  const double width_d = static_cast<double>(columns) * static_cast<double>(cell_w + options.border) +
                         options.border;
  const double height_d = static_cast<double>(rows) * static_cast<double>(cell_h + options.border) +
                          options.border;
  constexpr double kMaxSide = 1 << 20;
  if (width_d > kMaxSide || height_d > kMaxSide || width_d * height_d > (1LL << 31)) {
    throw std::invalid_argument("montage: image would be " + std::to_string(width_d) + "x" +
                                std::to_string(height_d) + " pixels; reduce scale (" +
                                std::to_string(options.scale) + ")");
  }
  GrayImage image;
  image.width = static_cast<int>(width_d);
  image.height = static_cast<int>(height_d);
  // Borders and unused grid cells stay black.
  image.pixels.assign(static_cast<std::size_t>(image.width) * image.height, 0);
  for (Index j = 0; j < k; ++j) {
    const Index top = options.border + (j / columns) * (cell_h + options.border);
    const Index left = options.border + (j % columns) * (cell_w + options.border);
    const double peak = static_cast<double>(atoms.col(j).cwiseAbs().maxCoeff());
    for (Index y = 0; y < cell_h; ++y) {
      const Index pr = y / options.scale;
      for (Index x = 0; x < cell_w; ++x) {
        const Index pc = x / options.scale;
        const double v = static_cast<double>(atoms(pr * shape.width + pc, j));
        // Zero at mid-grey, ±max|v| at 255 / 0: each atom on its own scale, as O&F show filters.
        const double grey = peak > 0.0 ? 127.5 + 127.5 * v / peak : 127.5;
        image.pixels[static_cast<std::size_t>((top + y) * image.width + left + x)] =
            static_cast<unsigned char>(std::lround(grey));
      }
    }
  }
  return image;
}

template <class T>
void write_montage_png(const std::filesystem::path& path, const Matrix<T>& atoms,
                       const MontageOptions& options) {
  const GrayImage image = render_montage(atoms, options);
  io::write_png_gray8(path, image.width, image.height, image.pixels);
}

template GrayImage render_montage<float>(const Matrix<float>&, const MontageOptions&);
template GrayImage render_montage<double>(const Matrix<double>&, const MontageOptions&);
template void write_montage_png<float>(const std::filesystem::path&, const Matrix<float>&,
                                       const MontageOptions&);
template void write_montage_png<double>(const std::filesystem::path&, const Matrix<double>&,
                                        const MontageOptions&);

}  // namespace sparsecode::viz
