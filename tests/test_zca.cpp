// Tests for ZCA whitening: identity covariance, symmetry, rank-deficient data, save/load, validation.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include <Eigen/LU>

#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/zca.hpp"

namespace fs = std::filesystem;
using sparsecode::Index;
using sparsecode::Matrix;
using sparsecode::Vector;
using sparsecode::preprocess::ZcaWhitening;

namespace {

/// N samples of x = A z + m with z standard normal and A = I + 0.3·G (G Gaussian): covariance
/// A Aᵀ, well conditioned, so that ε/λ_min stays far below the tolerances.
Matrix<double> correlated_samples(Index d, Index n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix<double> a = Matrix<double>::Identity(d, d);
  for (Index i = 0; i < a.size(); ++i) {
    a(i) += 0.3 * normal(rng);
  }
  Matrix<double> z(d, n);
  for (Index i = 0; i < z.size(); ++i) {
    z(i) = normal(rng);
  }
  Matrix<double> x = a * z;
  x.colwise() += Vector<double>::LinSpaced(d, -3.0, 5.0);
  return x;
}

Matrix<double> covariance(const Matrix<double>& x) {
  const Matrix<double> centred = x.colwise() - x.rowwise().mean();
  return centred * centred.transpose() / static_cast<double>(x.cols());
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("sparsecode_zca_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST_CASE("ZCA-whitened samples have zero mean and covariance close to the identity") {
  const Matrix<double> x = correlated_samples(6, 4000, 1);
  ZcaWhitening zca;
  zca.fit(x, 1e-9);
  const Matrix<double> y = zca.transform(x);
  CHECK(y.rowwise().mean().cwiseAbs().maxCoeff() < 1e-10);
  CHECK((covariance(y) - Matrix<double>::Identity(6, 6)).cwiseAbs().maxCoeff() < 1e-6);
  // W is symmetric (zero-phase) and W Σ W = I up to ε.
  CHECK(zca.matrix() == zca.matrix().transpose());
  const Matrix<double> wsw = zca.matrix() * covariance(x) * zca.matrix();
  CHECK((wsw - Matrix<double>::Identity(6, 6)).cwiseAbs().maxCoeff() < 1e-6);
  CHECK(zca.epsilon() == 1e-9);
}

TEST_CASE("ZCA shrinks directions with eigenvalues below epsilon: covariance U Λ/(Λ+ε) Uᵀ") {
  const Matrix<double> x = correlated_samples(5, 3000, 2);
  const double epsilon = 0.5;
  const Matrix<double> sigma = covariance(x);
  ZcaWhitening zca;
  zca.fit(x, epsilon);
  // Σ (Σ + εI)^(-1) is the whitened covariance predicted for the training data.
  const Matrix<double> predicted =
      sigma * (sigma + epsilon * Matrix<double>::Identity(5, 5)).inverse();
  CHECK((covariance(zca.transform(x)) - predicted).cwiseAbs().maxCoeff() < 1e-10);
}

TEST_CASE("ZCA on mean-removed patches needs epsilon > 0 and whitens the other d-1 directions") {
  Matrix<double> x = correlated_samples(9, 3000, 3);
  x.rowwise() -= x.colwise().mean();  // every sample sums to zero: Σ has the null vector 1
  ZcaWhitening zca;
  CHECK_THROWS_AS(zca.fit(x, 0.0), std::invalid_argument);
  CHECK_FALSE(zca.fitted());
  zca.fit(x, 1e-8);
  // The whitened covariance is the projector I − 11ᵀ/d.
  const Matrix<double> projector =
      Matrix<double>::Identity(9, 9) - Matrix<double>::Constant(9, 9, 1.0 / 9.0);
  CHECK((covariance(zca.transform(x)) - projector).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("a saved ZCA transform reloads and reapplies bit for bit") {
  const Matrix<double> train = correlated_samples(7, 500, 4);
  const Matrix<double> fresh = correlated_samples(7, 50, 5);
  ZcaWhitening zca;
  zca.fit(train, 1e-3);
  const fs::path path = temp_file("roundtrip.npy");
  zca.save(path);
  const sparsecode::io::NpyHeader header = sparsecode::io::read_npy_header(path);
  CHECK(header.shape == std::vector<std::size_t>{8, 7});
  const ZcaWhitening loaded = ZcaWhitening::load(path);
  fs::remove(path);
  CHECK(loaded.mean() == zca.mean());
  CHECK(loaded.matrix() == zca.matrix());
  CHECK(loaded.transform(fresh) == zca.transform(fresh));
  CHECK(loaded.epsilon() == 0.0);
}

TEST_CASE("ZCA rejects bad epsilon, bad data, unfitted use and files of the wrong shape") {
  const Matrix<double> x = correlated_samples(4, 100, 6);
  ZcaWhitening zca;
  for (const double bad : {-1e-6, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity()}) {
    try {
      zca.fit(x, bad);
      FAIL("accepted epsilon " << bad);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("epsilon") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(zca.fit(Matrix<double>(4, 0), 0.1), std::invalid_argument);
  Matrix<double> with_nan = x;
  with_nan(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(zca.fit(with_nan, 0.1), std::invalid_argument);
  CHECK_THROWS_AS((void)zca.transform(x), std::invalid_argument);
  CHECK_THROWS_AS(zca.save(temp_file("unfitted.npy")), std::invalid_argument);
  CHECK_FALSE(fs::exists(temp_file("unfitted.npy")));
  zca.fit(x, 0.1);
  CHECK_THROWS_AS((void)zca.transform(Matrix<double>::Zero(5, 3)), std::invalid_argument);

  const fs::path square = temp_file("square.npy");
  sparsecode::io::save_samples(square, Matrix<double>::Identity(4, 4).eval());
  try {
    (void)ZcaWhitening::load(square);
    FAIL("loaded a 4x4 array as a ZCA transform");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(square.string()) != std::string::npos);
  }
  fs::remove(square);
}
