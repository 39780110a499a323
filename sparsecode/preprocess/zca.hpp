// ZCA whitening of patches: x ↦ W (x − μ) with W = U (Λ + εI)^(−1/2) Uᵀ; fitted, saved, reapplied.
#pragma once

#include <filesystem>

#include "sparsecode/core/types.hpp"

namespace sparsecode::preprocess {

/// ZCA transform fitted on d×N samples. With Σ = U Λ Uᵀ the sample covariance,
/// W = U (Λ + εI)^(−1/2) Uᵀ (Bell & Sejnowski 1997); ε regularises small eigenvalues.
class ZcaWhitening {
 public:
  ZcaWhitening() = default;

  /// Fits mean and W (Σ with 1/N). Throws std::invalid_argument for ε < 0, empty data,
  /// non-finite values, or ε = 0 with a singular Σ (e.g. mean-removed patches).
  ZcaWhitening& fit(const Matrix<double>& samples, double epsilon);

  /// Applies W (x − μ) to every column. Throws std::invalid_argument if not fitted or d differs.
  Matrix<double> transform(const Matrix<double>& samples) const;

  const Vector<double>& mean() const { return mean_; }
  const Matrix<double>& matrix() const { return w_; }
  double epsilon() const { return epsilon_; }  ///< ε of fit()
  bool fitted() const { return w_.size() > 0; }

  /// Saves as one float64 .npy array of shape (d+1)×d, atomically: row 0 is μ, rows 1..d are
  /// W. ε is not needed to reapply the transform and is not stored (epsilon() is 0 after load).
  /// load() throws NpyError / std::runtime_error naming the file for a file of the wrong shape.
  void save(const std::filesystem::path& path) const;
  static ZcaWhitening load(const std::filesystem::path& path);

 private:
  Vector<double> mean_;
  Matrix<double> w_;
  double epsilon_ = 0.0;
};

}  // namespace sparsecode::preprocess
