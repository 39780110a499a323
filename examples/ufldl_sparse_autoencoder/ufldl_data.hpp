// UFLDL sparse-autoencoder exercise data: mean-removed patches truncated to ±3σ and mapped to [0.1, 0.9].
#pragma once

#include <cstdint>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::autoencoder {

/// Rescales d×N mean-removed patches in place as the UFLDL exercise (sampleIMAGES.m) does:
/// σ is the standard deviation of all values together, values are clipped to ±3σ, divided by
/// 3σ and mapped affinely from [−1, 1] to [0.1, 0.9] (so a sigmoid decoder can reach them).
/// Throws std::invalid_argument if the data are empty, non-finite or constant.
void ufldl_rescale(core::Matrix<double>& patches);

/// `count` random p×p patches (seeded) of the given (already whitened) images, each with its
/// own mean removed, then ufldl_rescale(). d = p², one patch per column, row-major.
core::Matrix<double> ufldl_patches(const std::vector<io::Image>& whitened_images,
                                     long long count, int patch_size, std::uint64_t seed);

}  // namespace sparsecode::autoencoder
