// Shape statistics of patch atoms: spatial localisation, orientation and band-pass concentration of the spectrum.
#pragma once

#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::viz {

/// Statistics of one p×p atom (row-major, as patches are stored) that quantify what
/// Olshausen & Field (1996) describe as localized, oriented and band-pass. With w(r) = d(r)²/‖d‖²
/// the spatial energy and P(f) the power spectrum (2-D DFT, f in cycles/patch; DC excluded from the orientation sum):
struct AtomShape {
  /// Spatial spread √(Σ w ‖r − r̄‖²) divided by the same quantity for uniform energy on the
  /// patch, √((p² − 1)/6): about 1 for spread-out atoms, small for localized ones.
  double spatial_spread = 0.0;
  /// |Σ P(f) e^{2iθ(f)}| / Σ P(f) with θ(f) the orientation of frequency f: 1 for energy on a
  /// single orientation, near 0 for an isotropic spectrum.
  double orientation_concentration = 0.0;
  /// Fraction of the spectral energy (DC included) in the middle band p/8 < |f| ≤ 3p/8:
  /// high for band-pass atoms, about the band's share of frequencies for white ones.
  double band_fraction = 0.0;
};

/// Statistics of every atom (columns of a d×k matrix with d = side²). Throws
/// std::invalid_argument if d ≠ side² or side < 2.
std::vector<AtomShape> atom_shapes(const Matrix<double>& atoms, int side);

}  // namespace sparsecode::viz
