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
  // then vertical sums of p of those: every window's Σx and Σx². The loops over window columns
  // are innermost (contiguous, vectorized); each sum still adds its terms in order j = 0..p−1.
  std::vector<double> h1(static_cast<std::size_t>(height * cols), 0.0), h2(h1.size(), 0.0);
  for (Index r = 0; r < height; ++r) {
    const float* row = image + r * width;
    double* s1 = h1.data() + r * cols;
    double* s2 = h2.data() + r * cols;
    for (int j = 0; j < p; ++j) {
      for (Index c = 0; c < cols; ++c) {
        const double v = row[c + j];
        s1[c] += v;
        s2[c] += v * v;
      }
    }
  }
  const double d = static_cast<double>(p) * p;
  Eigen::ArrayXd v1(cols), v2(cols);
  for (Index r = 0; r < rows; ++r) {
    v1.setZero();
    v2.setZero();
    for (int i = 0; i < p; ++i) {
      v1 += Eigen::Map<const Eigen::ArrayXd>(h1.data() + (r + i) * cols, cols);
      v2 += Eigen::Map<const Eigen::ArrayXd>(h2.data() + (r + i) * cols, cols);
    }
    // Eigen's sqrt, unlike std::sqrt's errno path, vectorizes; both are IEEE-exact.
    auto mean = Eigen::Map<Eigen::ArrayXd>(means + r * cols, cols);
    mean = v1 / d;
    Eigen::Map<Eigen::ArrayXd>(scales + r * cols, cols) = ((v2 / d - mean * mean).max(0.0) + epsilon).sqrt().inverse();
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
