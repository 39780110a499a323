// Atom shape statistics by direct 2-D DFT (patches are small, so O(p⁴) per atom is cheap).
#include "sparsecode/viz/atom_statistics.hpp"

#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecode::viz {

std::vector<AtomShape> atom_shapes(const Matrix<double>& atoms, int side) {
  if (side < 2 || static_cast<Index>(side) * side != atoms.rows()) {
    throw std::invalid_argument("atom_shapes: atoms have d = " + std::to_string(atoms.rows()) +
                                ", not side² for side = " + std::to_string(side) + " (side >= 2)");
  }
  const int p = side;
  const double two_pi = 2.0 * std::numbers::pi;
  // Frequencies in cycles/patch, centred: u in [−p/2, p/2).
  auto centred = [p](int i) { return i < (p + 1) / 2 ? i : i - p; };
  std::vector<AtomShape> shapes;
  shapes.reserve(static_cast<std::size_t>(atoms.cols()));
  const double uniform_spread = std::sqrt((static_cast<double>(p) * p - 1.0) / 6.0);
  for (Index j = 0; j < atoms.cols(); ++j) {
    const auto atom = atoms.col(j);
    AtomShape s;
    const double energy = atom.squaredNorm();
    if (!(energy > 0.0)) {
      shapes.push_back(s);
      continue;
    }
    double cr = 0.0, cc = 0.0;
    for (int r = 0; r < p; ++r)
      for (int c = 0; c < p; ++c) {
        const double w = atom(r * p + c) * atom(r * p + c) / energy;
        cr += w * r;
        cc += w * c;
      }
    double spread2 = 0.0;
    for (int r = 0; r < p; ++r)
      for (int c = 0; c < p; ++c) {
        const double w = atom(r * p + c) * atom(r * p + c) / energy;
        spread2 += w * ((r - cr) * (r - cr) + (c - cc) * (c - cc));
      }
    s.spatial_spread = std::sqrt(spread2) / uniform_spread;

    std::complex<double> orient = 0.0;
    double total = 0.0, band = 0.0, all = 0.0;
    for (int ku = 0; ku < p; ++ku)
      for (int kv = 0; kv < p; ++kv) {
        std::complex<double> f = 0.0;
        for (int r = 0; r < p; ++r)
          for (int c = 0; c < p; ++c) {
            f += atom(r * p + c) * std::polar(1.0, -two_pi * (static_cast<double>(ku) * r + static_cast<double>(kv) * c) / p);
          }
        const double power = std::norm(f);
        const double u = centred(ku), v = centred(kv);
        const double radius = std::hypot(u, v);
        all += power;
        if (radius > p / 8.0 && radius <= 3.0 * p / 8.0) band += power;
        if (ku == 0 && kv == 0) continue;
        const double theta = std::atan2(u, v);
        orient += power * std::polar(1.0, 2.0 * theta);
        total += power;
      }
    if (total > 0.0) s.orientation_concentration = std::abs(orient) / total;
    s.band_fraction = band / all;
    shapes.push_back(s);
  }
  return shapes;
}

}  // namespace sparsecode::viz
