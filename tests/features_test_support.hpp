// Helpers of the feature-extractor tests: small random image stacks and NumPy N×H×W files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "sparsecode/core/random.hpp"
#include "sparsecode/core/types.hpp"
#include "sparsecode/features/options.hpp"

namespace sparsecode::test {

/// N images of H×W pixels in 0..255 with some structure (a bright bar at a random place and
/// noise), one image per column, row-major inside the image.
inline Matrix<float> random_images(Index n, Index height, Index width, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<float> images(height * width, n);
  for (Index i = 0; i < n; ++i) {
    const auto bar = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(width)));
    const bool vertical = core::uniform_below(rng, 2) == 0;
    for (Index r = 0; r < height; ++r) {
      for (Index c = 0; c < width; ++c) {
        const bool on = vertical ? (c == bar || c == bar + 1) : (r == bar % height);
        images(r * width + c, i) = static_cast<float>(std::floor((on ? 180.0 : 20.0) + 60.0 * core::uniform_unit(rng)));
      }
    }
  }
  return images;
}

/// Options of a small, fast extractor for images of about 10×10: 4×4 patches at stride 2, 6
/// atoms, 600 training patches, one 2×2 pooling grid, seed 7, 30 L-BFGS iterations.
inline features::ExtractorOptions small_extractor_options() {
  features::ExtractorOptions o;
  o.patch = 4;
  o.stride = 2;
  o.atoms = 6;
  o.patches_count = 600;
  o.grids = {2};
  o.seed = 7;
  o.autoencoder_iterations = 30;
  return o;
}

/// Writes images ((H·W)×N) as a float32 .npy array of shape (N, H, W), C order.
inline void write_image_stack_npy(const std::filesystem::path& path, const Matrix<float>& images, Index height,
                                  Index width) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(images.cols()) + ", " +
                     std::to_string(height) + ", " + std::to_string(width) + "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<std::uint16_t>(dict.size());
  out.put(static_cast<char>(length & 0xff));
  out.put(static_cast<char>(length >> 8));
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  out.write(reinterpret_cast<const char*>(images.data()), static_cast<std::streamsize>(images.size() * sizeof(float)));
}

}  // namespace sparsecode::test
