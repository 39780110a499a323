// Library-independent random draws (uniform integers, uniform reals, normals) from std::mt19937_64.
#include "sparsecode/core/random.hpp"

#include <cmath>
#include <numbers>

namespace sparsecode::core {

std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
  std::uint64_t x = rng();
  while (x < reject_below) {
    x = rng();
  }
  return x % n;
}

double uniform_unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double standard_normal(std::mt19937_64& rng) {
  // u1 in (0, 1] so that the logarithm is finite; u2 in [0, 1).
  const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = uniform_unit(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace sparsecode::core
