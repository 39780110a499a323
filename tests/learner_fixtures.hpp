// Test helpers for the dictionary learners: planted-dictionary data and atom matching up to sign/permutation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::test {

using core::Index;
using core::Matrix;

/// Learner options (OnlineLearnerOptions or BatchLearnerOptions) for small tests: k atoms, λ,
/// seed, and a budget of `iterations` iterations only.
template <class Options>
Options small_learner_options(Index atoms, double lambda, std::uint64_t seed, long long iterations) {
  Options o;
  o.atoms = atoms;
  o.coding.penalty.lambda = lambda;
  o.seed = seed;
  o.stop.epochs = 0;
  o.stop.iterations = iterations;
  return o;
}

/// X = D* S + noise: D* (d×k) random unit atoms, S with exactly `sparsity` non-zeros per column
/// (random signs, magnitudes in [1, 2]), Gaussian noise of standard deviation `noise`.
struct Planted {
  Matrix<double> dictionary;
  Matrix<double> signals;
};

inline Planted make_planted(Index d, Index k, Index n, int sparsity, double noise, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unit;
  Planted p;
  p.dictionary.resize(d, k);
  for (Index i = 0; i < p.dictionary.size(); ++i) p.dictionary.data()[i] = normal(rng);
  p.dictionary.colwise().normalize();
  Matrix<double> s = Matrix<double>::Zero(k, n);
  std::vector<Index> atoms(static_cast<std::size_t>(k));
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < k; ++j) atoms[static_cast<std::size_t>(j)] = j;
    std::shuffle(atoms.begin(), atoms.end(), rng);
    for (int j = 0; j < sparsity; ++j) {
      s(atoms[static_cast<std::size_t>(j)], i) = (unit(rng) < 0.5 ? -1.0 : 1.0) * (1.0 + unit(rng));
    }
  }
  p.signals = p.dictionary * s;
  for (Index i = 0; i < p.signals.size(); ++i) p.signals.data()[i] += noise * normal(rng);
  return p;
}

/// Mean |cos| between true and learned atoms under a one-to-one matching (greedy on the
/// largest |cos| first), i.e. recovery up to sign and permutation.
inline double matched_mean_abs_cos(const Matrix<double>& truth, const Matrix<double>& learned) {
  Matrix<double> l = learned;
  for (Index j = 0; j < l.cols(); ++j) {
    const double n = l.col(j).norm();
    if (n > 0) l.col(j) /= n;
  }
  Matrix<double> c = (truth.transpose() * l).cwiseAbs();
  double total = 0;
  for (Index m = 0; m < truth.cols(); ++m) {
    Index r = 0, col = 0;
    const double best = c.maxCoeff(&r, &col);
    total += best;
    c.row(r).setConstant(-1);
    c.col(col).setConstant(-1);
  }
  return total / static_cast<double>(truth.cols());
}

}  // namespace sparsecode::test
