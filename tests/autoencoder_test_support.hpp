// Shared helpers of the autoencoder tests: seeded data in [lo, hi] and central-difference gradients.
#pragma once

#include <cstdint>
#include <functional>
#include <random>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"

namespace sparsecode::test {

/// d×m matrix of seeded uniforms in [lo, hi].
inline core::Matrix<double> uniform_data(core::Index d, core::Index m, double lo, double hi,
                                           std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  core::Matrix<double> x(d, m);
  for (core::Index i = 0; i < x.size(); ++i) {
    x.data()[i] = lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
  }
  return x;
}

/// Central differences (f(θ + he_i) − f(θ − he_i)) / 2h for every i.
inline core::Vector<double> numeric_gradient(
    const std::function<double(const core::Vector<double>&)>& f, core::Vector<double> theta,
    double step = 1e-6) {
  core::Vector<double> g(theta.size());
  for (core::Index i = 0; i < theta.size(); ++i) {
    const double saved = theta[i];
    theta[i] = saved + step;
    const double plus = f(theta);
    theta[i] = saved - step;
    const double minus = f(theta);
    theta[i] = saved;
    g[i] = (plus - minus) / (2.0 * step);
  }
  return g;
}

}  // namespace sparsecode::test
