// UFLDL sparse-autoencoder exercise data preparation (sampleIMAGES.m's normalisation).
#include "ufldl_data.hpp"

#include <cmath>
#include <stdexcept>

#include "sparsecode/preprocess/patches.hpp"

namespace sparsecode::autoencoder {

void ufldl_rescale(core::Matrix<double>& patches) {
  if (patches.size() == 0 || !patches.allFinite()) {
    throw std::invalid_argument("ufldl_rescale: patches must be non-empty and finite");
  }
  const double mean = patches.mean();
  const double variance =
      (patches.array() - mean).square().sum() / static_cast<double>(patches.size());
  const double limit = 3.0 * std::sqrt(variance);
  if (!(limit > 0.0)) {
    throw std::invalid_argument("ufldl_rescale: the patches are constant");
  }
  patches = (patches.array().min(limit).max(-limit) / limit + 1.0) * 0.4 + 0.1;
}

core::Matrix<double> ufldl_patches(const std::vector<io::Image>& whitened_images,
                                     long long count, int patch_size, std::uint64_t seed) {
  preprocess::PatchOptions options;
  options.size = patch_size;
  options.count = count;
  options.seed = seed;
  options.remove_mean = true;
  core::Matrix<double> patches = preprocess::extract_patches(whitened_images, options);
  ufldl_rescale(patches);
  return patches;
}

}  // namespace sparsecode::autoencoder
