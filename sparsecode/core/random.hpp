// Seeded random draws computed from the raw 64-bit output, so results are the same on every standard library.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace sparsecode::core {

/// Uniform integer in [0, n), n ≥ 1. Rejecting the lowest 2^64 mod n raw values leaves a
/// multiple of n equally likely outcomes, so `x mod n` is exactly uniform (no modulo bias);
/// std::uniform_int_distribution is avoided because its output differs between libraries.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n);

/// Uniform double in [0, 1) with 53 random bits.
double uniform_unit(std::mt19937_64& rng);

/// A standard normal deviate by Box–Muller from two raw 53-bit uniforms.
double standard_normal(std::mt19937_64& rng);

/// Fisher–Yates shuffle driven by uniform_below.
template <class Item>
void shuffle(std::vector<Item>& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[static_cast<std::size_t>(uniform_below(rng, i))]);
  }
}

}  // namespace sparsecode::core
