// Spherical k-means (Coates & Ng 2011): OMP-1 assignment and power-iteration atom update.
#include "sparsecode/features/spherical_kmeans.hpp"

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "sparsecode/core/random.hpp"
#include "sparsecode/core/threads.hpp"

namespace sparsecode::features {

namespace {

constexpr Index kChunk = 2048;

Matrix<double> initial_atoms(const Matrix<double>& data, Index atoms, std::uint64_t seed) {
  std::vector<Index> candidates;
  for (Index i = 0; i < data.cols(); ++i) {
    if (data.col(i).squaredNorm() > 0.0) candidates.push_back(i);
  }
  if (static_cast<Index>(candidates.size()) < atoms) {
    throw std::invalid_argument("spherical_kmeans: " + std::to_string(candidates.size()) +
                                " non-zero samples for " + std::to_string(atoms) + " atoms");
  }
  std::mt19937_64 rng(seed);
  Matrix<double> d(data.rows(), atoms);
  for (Index j = 0; j < atoms; ++j) {  // partial Fisher–Yates
    const auto pick = static_cast<Index>(core::uniform_below(rng, candidates.size() - j)) + j;
    std::swap(candidates[j], candidates[pick]);
    d.col(j) = data.col(candidates[j]).normalized();
  }
  return d;
}

}  // namespace

void SphericalKMeansOptions::validate() const {
  if (atoms < 1) throw std::invalid_argument("SphericalKMeansOptions::atoms must be >= 1, got " + std::to_string(atoms));
  if (iterations < 1) {
    throw std::invalid_argument("SphericalKMeansOptions::iterations must be >= 1, got " + std::to_string(iterations));
  }
  if (!(tolerance >= 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("SphericalKMeansOptions::tolerance must be finite and >= 0");
  }
  if (threads < 0) throw std::invalid_argument("SphericalKMeansOptions::threads must be >= 0");
}

Matrix<double> spherical_kmeans(const Matrix<double>& data, const SphericalKMeansOptions& options,
                                SphericalKMeansSummary* summary, const SphericalKMeansCallback& callback) {
  options.validate();
  if (data.size() == 0) throw std::invalid_argument("spherical_kmeans: no data");
  if (!data.allFinite()) throw std::invalid_argument("spherical_kmeans: data contain NaN or Inf");
  SphericalKMeansSummary local;
  SphericalKMeansSummary& s = summary ? *summary : local;
  s = SphericalKMeansSummary{};
  Matrix<double> d = initial_atoms(data, options.atoms, options.seed);
  const Index n = data.cols();
  const Index chunks = (n + kChunk - 1) / kChunk;
  std::vector<Index> label(static_cast<std::size_t>(n));
  std::vector<double> value(static_cast<std::size_t>(n));
  std::vector<double> chunk_objective(static_cast<std::size_t>(chunks));
  const int threads = core::resolve_threads(options.threads);
  core::SingleThreadedBlas single_blas;
  for (int it = 0; it < options.iterations; ++it) {
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (Index c = 0; c < chunks; ++c) {
      const Index begin = c * kChunk;
      const Index count = std::min(kChunk, n - begin);
      const Matrix<double> z = d.transpose() * data.middleCols(begin, count);
      double objective = 0.0;
      for (Index i = 0; i < count; ++i) {
        Index best = 0;
        z.col(i).cwiseAbs().maxCoeff(&best);
        label[static_cast<std::size_t>(begin + i)] = best;
        const double v = z(best, i);
        value[static_cast<std::size_t>(begin + i)] = v;
        objective += data.col(begin + i).squaredNorm() - v * v;
      }
      chunk_objective[static_cast<std::size_t>(c)] = objective;
    }
    const double objective =
        std::accumulate(chunk_objective.begin(), chunk_objective.end(), 0.0) / static_cast<double>(n);
    s.objective.push_back(objective);
    s.iterations = it + 1;
    Vector<Index> used = Vector<Index>::Zero(options.atoms);
    Matrix<double> next = d;  // X Sᵀ + D, summed in sample order
    for (Index i = 0; i < n; ++i) {
      const Index j = label[static_cast<std::size_t>(i)];
      next.col(j) += value[static_cast<std::size_t>(i)] * data.col(i);
      ++used(j);
    }
    s.unused_atoms = (used.array() == 0).count();
    for (Index j = 0; j < options.atoms; ++j) d.col(j) = next.col(j).normalized();
    if (callback && callback(it + 1, objective) == core::CallbackResult::stop) {
      s.termination = SphericalKMeansSummary::Termination::user_callback;
      break;
    }
    if (it > 0 && options.tolerance > 0.0) {
      const double previous = s.objective[s.objective.size() - 2];
      if (previous - objective <= options.tolerance * std::abs(previous)) {
        s.termination = SphericalKMeansSummary::Termination::converged;
        break;
      }
    }
  }
  return d;
}

}  // namespace sparsecode::features
