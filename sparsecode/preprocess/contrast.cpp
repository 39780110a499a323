// Per-patch contrast normalization (mean removal and division by sqrt(variance + ε)).
#include "sparsecode/preprocess/contrast.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecode::preprocess {

template <class T>
void normalize_contrast_column(T* values, Index d, double epsilon) {
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> x(values, d);
  const auto wide = x.template cast<double>();
  const double mean = wide.mean();
  const double variance = (wide - mean).square().mean();
  x = ((wide - mean) * (1.0 / std::sqrt(variance + epsilon))).template cast<T>();
}

void window_contrast_stats(const float* image, Index height, Index width, int p, double epsilon, double* means,
                           double* scales) {
  const Index cols = width - p + 1;
  const Index rows = height - p + 1;
  // Horizontal sums of p pixels (and of their squares) for every image row and window column,
  // then vertical sums of p of those: every window's Σx and Σx².
  std::vector<double> h1(static_cast<std::size_t>(height * cols)), h2(h1.size());
  for (Index r = 0; r < height; ++r) {
    const float* row = image + r * width;
    for (Index c = 0; c < cols; ++c) {
      double s1 = 0.0, s2 = 0.0;
      for (int j = 0; j < p; ++j) {
        const double v = row[c + j];
        s1 += v;
        s2 += v * v;
      }
      h1[static_cast<std::size_t>(r * cols + c)] = s1;
      h2[static_cast<std::size_t>(r * cols + c)] = s2;
    }
  }
  const double d = static_cast<double>(p) * p;
  for (Index r = 0; r < rows; ++r) {
    for (Index c = 0; c < cols; ++c) {
      double s1 = 0.0, s2 = 0.0;
      for (int i = 0; i < p; ++i) {
        s1 += h1[static_cast<std::size_t>((r + i) * cols + c)];
        s2 += h2[static_cast<std::size_t>((r + i) * cols + c)];
      }
      const double mean = s1 / d;
      const double variance = std::max(0.0, s2 / d - mean * mean);
      means[r * cols + c] = mean;
      scales[r * cols + c] = 1.0 / std::sqrt(variance + epsilon);
    }
  }
}

template <class T>
void normalize_contrast(Matrix<T>& patches, double epsilon) {
  if (!(epsilon > 0.0) || !std::isfinite(epsilon)) {
    throw std::invalid_argument("normalize_contrast: epsilon must be finite and > 0, got " + std::to_string(epsilon));
  }
  if (!patches.allFinite()) throw std::invalid_argument("normalize_contrast: patches contain NaN or Inf");
  for (Index j = 0; j < patches.cols(); ++j) normalize_contrast_column(patches.col(j).data(), patches.rows(), epsilon);
}

template void normalize_contrast_column<float>(float*, Index, double);
template void normalize_contrast_column<double>(double*, Index, double);
template void normalize_contrast<float>(Matrix<float>&, double);
template void normalize_contrast<double>(Matrix<double>&, double);

}  // namespace sparsecode::preprocess
