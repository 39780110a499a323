// Per-feature standardization (z-scores) with the training statistics kept for prediction.
#pragma once

#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

/// z = (x − mean) ⊙ scale with scale = 1/std, both per feature (row of the F×N feature matrix).
/// A feature whose standard deviation on the training data is at most 1e-7·max(1, |mean|)
/// (e.g. zero variance) gets scale 0: it carries no information and is ignored, never divided
/// by a near-zero number.
struct Standardizer {
  Vector<float> mean;   ///< F
  Vector<float> scale;  ///< F, ≥ 0

  /// Statistics of the columns of `features` (F×N, N ≥ 1); sums in double, in fixed chunks of
  /// samples summed in order (identical for any thread count). Throws std::invalid_argument on
  /// an empty matrix.
  static Standardizer fit(const Matrix<float>& features, int threads = 0);

  /// Standardizes `features` in place. Throws std::invalid_argument if its row count is not F.
  void apply(Matrix<float>& features, int threads = 0) const;

  Index features() const { return mean.size(); }
};

}  // namespace sparsecode::classify
