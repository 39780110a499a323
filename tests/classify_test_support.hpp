// Toy classification data for the classifier tests: Gaussian blobs around random class centres.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sparsecode/core/random.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::test {

struct ToyData {
  Matrix<float> features;  ///< F×N
  std::vector<int> labels;
};

/// N samples of F features in `classes` classes: centre_c · separation + unit noise · spread,
/// labels cycling 0, 1, ..., classes−1; features shifted by `offset` and feature 0 scaled by 50
/// so that standardization matters.
inline ToyData toy_data(Index f, Index n, int classes, double separation, double spread, std::uint64_t seed,
                        double offset = 3.0) {
  std::mt19937_64 rng(seed);
  Matrix<double> centres(f, classes);
  for (Index i = 0; i < centres.size(); ++i) centres.data()[i] = core::standard_normal(rng);
  ToyData d;
  d.features.resize(f, n);
  for (Index j = 0; j < n; ++j) {
    const int c = static_cast<int>(j % classes);
    d.labels.push_back(c);
    for (Index i = 0; i < f; ++i) {
      d.features(i, j) =
          static_cast<float>(offset + separation * centres(i, c) + spread * core::standard_normal(rng));
    }
  }
  d.features.row(0) *= 50.0f;
  return d;
}

}  // namespace sparsecode::test
