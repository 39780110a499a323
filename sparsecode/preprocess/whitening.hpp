// Olshausen–Field whitening of whole images: zero-phase filter R(f) = f·exp(−(f/f₀)⁴) in the 2-D spectrum.
#pragma once

#include <vector>

#include "sparsecode/io/image_io.hpp"

namespace sparsecode::preprocess {

/// Options for Olshausen & Field (1996/1997) whitening.
struct WhiteningOptions {
  /// Cutoff as a fraction of the image side: f₀ = cutoff_fraction · N (cycles/image). Paper: 0.4.
  double cutoff_fraction = 0.4;
  /// Every whitened image is scaled so that the variance of all pixels together is this. Paper: 0.1.
  double target_variance = 0.1;
  /// OpenMP threads over images (0 = all cores). The result does not depend on it.
  int threads = 0;

  /// Throws std::invalid_argument naming the field if a value is out of range.
  void validate() const;
};

/// Whitens each image: subtract its mean, multiply its 2-D DFT by R(f) = f·exp(−(f/f₀)⁴) with
/// f the radial frequency in cycles/image, transform back (real part), then scale all images by
/// one common factor so that their pooled pixel variance (population variance of all pixels of
/// all images together) is `target_variance`. The 2-D FFT is Eigen's FFT module (kissfft): it
/// needs no dependency beyond Eigen, handles every size, and a 512×512 image takes milliseconds.
/// Non-square images: f is measured in cycles per N pixels with N = min(H, W) (cycles per image
/// along the short side), i.e. for DFT bin (v, u) (signed, |u| ≤ W/2, |v| ≤ H/2)
/// f = sqrt((u·N/W)² + (v·N/H)²), so that the filter is isotropic in cycles/pixel and
/// f₀ = cutoff_fraction·N refers to the short side. For square images this is the paper's f.
/// Throws std::invalid_argument for an empty list, an image smaller than 2×2 or with a non-finite
/// pixel, or invalid options; std::runtime_error if every image is constant (nothing to scale).
std::vector<io::Image> whiten_images(const std::vector<io::Image>& images,
                                 const WhiteningOptions& options = {});

/// The filter's gain at radial frequency f (cycles/image) for side N: f·exp(−(f/(c·N))⁴).
double whitening_gain(double f, double side, double cutoff_fraction);

}  // namespace sparsecode::preprocess
