// Per-patch contrast normalization (mean removal and division by sqrt(variance + ε)).
#include "sparsecode/preprocess/contrast.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::preprocess {

template <class T>
void normalize_contrast_column(T* values, Index d, double epsilon) {
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> x(values, d);
  const auto wide = x.template cast<double>();
  const double mean = wide.mean();
  const double variance = (wide - mean).square().mean();
  x = ((wide - mean) * (1.0 / std::sqrt(variance + epsilon))).template cast<T>();
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
