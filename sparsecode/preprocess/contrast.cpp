// Per-patch contrast normalization (mean removal and division by sqrt(variance + ε)).
#include "sparsecode/preprocess/contrast.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::preprocess {

template <class T>
void normalize_contrast_column(T* values, Index d, double epsilon) {
  double sum = 0.0;
  for (Index i = 0; i < d; ++i) sum += static_cast<double>(values[i]);
  const double mean = sum / static_cast<double>(d);
  double squares = 0.0;
  for (Index i = 0; i < d; ++i) {
    const double centered = static_cast<double>(values[i]) - mean;
    squares += centered * centered;
  }
  const double scale = 1.0 / std::sqrt(squares / static_cast<double>(d) + epsilon);
  for (Index i = 0; i < d; ++i) values[i] = static_cast<T>((static_cast<double>(values[i]) - mean) * scale);
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
