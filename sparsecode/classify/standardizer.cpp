// Mean and standard deviation per feature in two passes over fixed chunks of samples; in-place z-scores.
#include "sparsecode/classify/standardizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/classify/objective.hpp"
#include "sparsecode/core/threads.hpp"

namespace sparsecode::classify {

namespace {

// Σ_j g(x_j) over columns, per chunk of kSampleChunk columns, the chunks summed in order.
template <class Term>
Vector<double> chunked_column_sum(const Matrix<float>& x, int threads, const Term& term) {
  const Index n = x.cols();
  const Index chunks = (n + kSampleChunk - 1) / kSampleChunk;
  std::vector<Vector<double>> partial(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static) num_threads(core::threads_for_work(threads, chunks))
  for (Index k = 0; k < chunks; ++k) {
    Vector<double> sum = Vector<double>::Zero(x.rows());
    const Index end = std::min(n, (k + 1) * kSampleChunk);
    for (Index j = k * kSampleChunk; j < end; ++j) {
      sum += term(x.col(j).cast<double>());
    }
    partial[static_cast<std::size_t>(k)] = std::move(sum);
  }
  Vector<double> total = Vector<double>::Zero(x.rows());
  for (const Vector<double>& p : partial) total += p;
  return total;
}

}  // namespace

Standardizer Standardizer::fit(const Matrix<float>& features, int threads) {
  if (features.rows() == 0 || features.cols() == 0) {
    throw std::invalid_argument("standardizer: features are empty (" + std::to_string(features.rows()) +
                                " features × " + std::to_string(features.cols()) + " samples)");
  }
  const double n = static_cast<double>(features.cols());
  const Vector<double> mean =
      chunked_column_sum(features, threads, [](const Vector<double>& v) { return v; }) / n;
  const Vector<double> var =
      chunked_column_sum(features, threads,
                         [&](const Vector<double>& v) -> Vector<double> { return (v - mean).array().square(); }) /
      n;
  Standardizer s;
  s.mean = mean.cast<float>();
  s.scale.resize(mean.size());
  for (Index i = 0; i < mean.size(); ++i) {
    const double sd = std::sqrt(var(i));
    s.scale(i) = sd > 1e-7 * std::max(1.0, std::abs(mean(i))) ? static_cast<float>(1.0 / sd) : 0.0f;
  }
  return s;
}

void Standardizer::apply(Matrix<float>& features, int threads) const {
  if (features.rows() != mean.size()) {
    throw std::invalid_argument("standardizer: features have " + std::to_string(features.rows()) +
                                " rows, the statistics " + std::to_string(mean.size()));
  }
  const Index n = features.cols();
#pragma omp parallel for schedule(static) num_threads(core::resolve_threads(threads))
  for (Index j = 0; j < n; ++j) {
    features.col(j) = ((features.col(j) - mean).array() * scale.array()).matrix();
  }
}

}  // namespace sparsecode::classify
