// ZCA whitening of patches: eigendecomposition of the d×d sample covariance, saved as one .npy array.
#include "sparsecode/preprocess/zca.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Eigenvalues>

#include "sparsecode/io/npy.hpp"

namespace sparsecode::preprocess {

ZcaWhitening& ZcaWhitening::fit(const Matrix<double>& samples, double epsilon) {
  if (!(std::isfinite(epsilon) && epsilon >= 0.0)) {
    throw std::invalid_argument("ZcaWhitening::fit: epsilon must be finite and >= 0, got " +
                                std::to_string(epsilon));
  }
  if (samples.size() == 0) {
    throw std::invalid_argument("ZcaWhitening::fit: samples are empty (" +
                                std::to_string(samples.rows()) + "x" +
                                std::to_string(samples.cols()) + ")");
  }
  if (!samples.allFinite()) {
    throw std::invalid_argument("ZcaWhitening::fit: samples contain NaN or infinite values");
  }
  const Index d = samples.rows();
  const auto n = static_cast<double>(samples.cols());
  Vector<double> mean = samples.rowwise().mean();
  // Σ = (1/N) Σ_n (x_n − μ)(x_n − μ)ᵀ, the maximum-likelihood covariance: then the whitened
  // training data have covariance exactly U Λ (Λ + εI)^(−1) Uᵀ. Centred in fixed-size column
  // blocks so that a large sample set is never copied whole.
  constexpr Index block = 4096;
  Matrix<double> covariance = Matrix<double>::Zero(d, d);
  for (Index start = 0; start < samples.cols(); start += block) {
    const Index width = std::min(block, samples.cols() - start);
    const Matrix<double> centered = samples.middleCols(start, width).colwise() - mean;
    covariance.selfadjointView<Eigen::Lower>().rankUpdate(centered, 1.0 / n);
  }
  const Eigen::SelfAdjointEigenSolver<Matrix<double>> eigen(covariance);
  if (eigen.info() != Eigen::Success) {
    throw std::runtime_error("ZcaWhitening::fit: eigendecomposition of the covariance failed");
  }
  // Eigenvalues below the rounding level of the largest are zero (e.g. the constant direction
  // of mean-removed patches); with ε = 0 they would be amplified without bound.
  Vector<double> lambda = eigen.eigenvalues();
  const double tolerance =
      lambda.cwiseAbs().maxCoeff() * static_cast<double>(d) * std::numeric_limits<double>::epsilon();
  for (Index i = 0; i < d; ++i) {
    if (lambda(i) <= tolerance) {
      lambda(i) = 0.0;
    }
  }
  if (epsilon == 0.0 && lambda.minCoeff() == 0.0) {
    throw std::invalid_argument(
        "ZcaWhitening::fit: epsilon = 0 but the covariance is singular (e.g. mean-removed "
        "patches); use epsilon > 0");
  }
  const Vector<double> gain = (lambda.array() + epsilon).rsqrt().matrix();
  const Matrix<double>& u = eigen.eigenvectors();
  w_ = u * gain.asDiagonal() * u.transpose();
  // U diag Uᵀ is symmetric in exact arithmetic; make it so bit for bit.
  w_ = (0.5 * (w_ + w_.transpose())).eval();
  mean_ = std::move(mean);
  epsilon_ = epsilon;
  return *this;
}

Matrix<double> ZcaWhitening::transform(const Matrix<double>& samples) const {
  if (!fitted()) {
    throw std::invalid_argument("ZcaWhitening::transform: the transform is not fitted");
  }
  if (samples.rows() != w_.rows()) {
    throw std::invalid_argument("ZcaWhitening::transform: samples have d = " +
                                std::to_string(samples.rows()) + " but the transform has d = " +
                                std::to_string(w_.rows()));
  }
  // W (x − μ) = W x − W μ: no centred copy of the samples.
  Matrix<double> whitened = w_ * samples;
  const Vector<double> shift = w_ * mean_;
  whitened.colwise() -= shift;
  return whitened;
}

void ZcaWhitening::save(const std::filesystem::path& path) const {
  if (!fitted()) {
    throw std::invalid_argument("ZcaWhitening::save: the transform is not fitted (" +
                                path.string() + ")");
  }
  // save_samples writes columns as rows: column 0 = μ, columns 1..d = rows of W (W = Wᵀ).
  const Index d = w_.rows();
  Matrix<double> stored(d, d + 1);
  stored.col(0) = mean_;
  stored.rightCols(d) = w_.transpose();
  io::save_samples(path, stored);
}

ZcaWhitening ZcaWhitening::load(const std::filesystem::path& path) {
  const Matrix<double> stored = io::load_samples<double>(path);
  const Index d = stored.rows();
  if (stored.cols() != d + 1) {
    throw std::runtime_error(path.string() + ": not a ZCA transform: expected shape (d+1, d), got (" +
                             std::to_string(stored.cols()) + ", " + std::to_string(d) + ")");
  }
  if (!stored.allFinite()) {
    throw std::runtime_error(path.string() + ": ZCA transform contains NaN or infinite values");
  }
  ZcaWhitening zca;
  zca.mean_ = stored.col(0);
  zca.w_ = stored.rightCols(d).transpose();
  return zca;
}

}  // namespace sparsecode::preprocess
