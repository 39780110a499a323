// Tests for Olshausen–Field whitening: radial spectrum follows R(f)², zero phase, pooled variance, options.
#include <doctest/doctest.h>

#include <unsupported/Eigen/FFT>

#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/preprocess/whitening.hpp"

using sparsecode::io::Image;
using sparsecode::Matrix;
using sparsecode::preprocess::WhiteningOptions;
using sparsecode::preprocess::whiten_images;
using Complex = std::complex<double>;

namespace {

// Uniform [0, 1) noise from the raw 64-bit output (53 high bits), reproducible on every platform.
Image noise_image(int height, int width, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Image image{"noise" + std::to_string(seed), Matrix<double>(height, width)};
  for (int c = 0; c < width; ++c)
    for (int r = 0; r < height; ++r) image.pixels(r, c) = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return image;
}

// 2-D DFT for the checks: Eigen's FFT on the columns, then the rows, of a complex copy.
Matrix<Complex> dft2(const Matrix<double>& x) {
  Eigen::FFT<double> fft;
  Matrix<Complex> s = x.cast<Complex>();
  for (Eigen::Index c = 0; c < s.cols(); ++c) {
    Eigen::VectorXcd in = s.col(c);
    Eigen::VectorXcd out;
    fft.fwd(out, in);
    s.col(c) = out;
  }
  for (Eigen::Index r = 0; r < s.rows(); ++r) {
    Eigen::VectorXcd in = s.row(r).transpose();
    Eigen::VectorXcd out;
    fft.fwd(out, in);
    s.row(r) = out.transpose();
  }
  return s;
}

// Radial frequency of DFT bin (v, u) in cycles per N pixels, N = min(H, W), as the header defines.
double radial_frequency(Eigen::Index v, Eigen::Index u, Eigen::Index h, Eigen::Index w) {
  const double n = static_cast<double>(std::min(h, w));
  const double su = static_cast<double>(2 * u <= w ? u : u - w);
  const double sv = static_cast<double>(2 * v <= h ? v : v - h);
  return std::hypot(su * n / static_cast<double>(w), sv * n / static_cast<double>(h));
}

// The paper's filter, written out here independently of the library.
double r_of_f(double f, double n) { return f * std::exp(-std::pow(f / (0.4 * n), 4)); }

double pooled_variance(const std::vector<Image>& images, double* mean_out) {
  double count = 0;
  double sum = 0;
  for (const Image& im : images) {
    count += static_cast<double>(im.pixels.size());
    sum += im.pixels.sum();
  }
  const double mean = sum / count;
  double sq = 0;
  for (const Image& im : images) sq += (im.pixels.array() - mean).square().sum();
  *mean_out = mean;
  return sq / count;
}

// Worst log-domain deviation, over annuli f in [2, 0.6N], of the radially averaged power ratio
// P_out(f)/P_in(f) from c·mean R(f)² (R with f₀ = 0.4N), c fitted as the mean log offset.
// Power spectra are summed over all images: the low-frequency annuli hold only a dozen DFT bins
// each, and one image would leave them dominated by chance.
double radial_deviation(const std::vector<Image>& inputs, const std::vector<Image>& outputs) {
  const Eigen::Index n = inputs[0].pixels.rows();
  const auto bins = static_cast<std::size_t>(n);  // f up to n/sqrt(2)
  std::vector<double> p_in(bins, 0.0), p_out(bins, 0.0), r2(bins, 0.0), count(bins, 0.0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Matrix<Complex> x = dft2(inputs[i].pixels);
    const Matrix<Complex> y = dft2(outputs[i].pixels);
    CHECK(std::abs(y(0, 0)) < 1e-9 * std::abs(x(0, 0)));  // the mean is removed
    for (Eigen::Index u = 0; u < n; ++u) {
      for (Eigen::Index v = 0; v < n; ++v) {
        const double f = radial_frequency(v, u, n, n);
        const auto b = static_cast<std::size_t>(std::lround(f));
        p_in[b] += std::norm(x(v, u));
        p_out[b] += std::norm(y(v, u));
        r2[b] += std::pow(r_of_f(f, static_cast<double>(n)), 2);
        count[b] += 1;
      }
    }
  }
  std::vector<double> residual;
  for (std::size_t b = 2; b <= static_cast<std::size_t>(0.6 * static_cast<double>(n)); ++b) {
    residual.push_back(std::log(p_out[b] / p_in[b]) - std::log(r2[b] / count[b]));
  }
  double log_c = 0;
  for (double e : residual) log_c += e;
  log_c /= static_cast<double>(residual.size());
  double worst = 0;
  for (double e : residual) worst = std::max(worst, std::abs(e - log_c));
  return worst;
}

}  // namespace

TEST_CASE("whitening: radially averaged power spectrum ratio on white noise follows R(f)^2") {
  std::vector<Image> inputs;
  for (std::uint64_t seed = 100; seed < 116; ++seed) inputs.push_back(noise_image(64, 64, seed));
  const double worst = radial_deviation(inputs, whiten_images(inputs));
  INFO("worst log-domain deviation from R(f)^2: " << worst);
  CHECK(worst < 0.05);
  // The check discriminates: a filter with another cutoff (f0 = 0.5N) fails it clearly.
  WhiteningOptions other;
  other.cutoff_fraction = 0.5;
  CHECK(radial_deviation(inputs, whiten_images(inputs, other)) > 0.2);
}

TEST_CASE("whitening: the filter is zero-phase and exact per DFT bin on a non-square image") {
  const int h = 48;
  const int w = 80;
  const Image input = noise_image(h, w, 11);
  const auto out = whiten_images({input});
  const Matrix<Complex> x = dft2(input.pixels);
  const Matrix<Complex> y = dft2(out[0].pixels);
  // Y = s·R(f)·X for every bin but DC, with one s > 0 and f from the header's definition.
  double s = 0;
  for (Eigen::Index u = 0; u < w; ++u) {
    for (Eigen::Index v = 0; v < h; ++v) {
      const double gain = r_of_f(radial_frequency(v, u, h, w), std::min(h, w));
      if ((u == 0 && v == 0) || gain < 1e-3) continue;
      const Complex ratio = y(v, u) / (gain * x(v, u));
      if (s == 0) s = ratio.real();
      CHECK(ratio.real() == doctest::Approx(s).epsilon(1e-9));
      CHECK(std::abs(ratio.imag()) < 1e-9 * s);
    }
  }
  CHECK(s > 0);
}

TEST_CASE("whitening: pooled variance is the target, means are ~0, threads do not change results") {
  const std::vector<Image> images = {noise_image(64, 64, 1), noise_image(40, 72, 2),
                                     noise_image(64, 64, 3)};
  WhiteningOptions one;
  one.threads = 1;
  WhiteningOptions two;
  two.threads = 2;
  const auto a = whiten_images(images, one);
  const auto b = whiten_images(images, two);
  REQUIRE(a.size() == 3);
  double mean = 1;
  CHECK(std::abs(pooled_variance(a, &mean) - 0.1) < 1e-12);
  CHECK(std::abs(mean) < 1e-12);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].name == images[i].name);
    CHECK(a[i].pixels.rows() == images[i].pixels.rows());
    CHECK(a[i].pixels.cols() == images[i].pixels.cols());
    CHECK(std::abs(a[i].pixels.mean()) < 1e-12);
    CHECK(a[i].pixels == b[i].pixels);
  }
  // One common factor: the ratio of two images' variances does not depend on the target.
  WhiteningOptions other;
  other.target_variance = 2.5;
  const auto c = whiten_images(images, other);
  CHECK(std::abs(pooled_variance(c, &mean) - 2.5) < 1e-12 * 2.5);
  const double ratio_a = (a[0].pixels.array().square().mean()) / (a[1].pixels.array().square().mean());
  const double ratio_c = (c[0].pixels.array().square().mean()) / (c[1].pixels.array().square().mean());
  CHECK(ratio_a == doctest::Approx(ratio_c).epsilon(1e-12));
}

TEST_CASE("whitening: bad options and inputs are rejected naming the field") {
  const std::vector<Image> images = {noise_image(8, 8, 5)};
  const auto check_field = [&](const WhiteningOptions& options, const std::string& field) {
    try {
      whiten_images(images, options);
      FAIL("no exception for " << field);
    } catch (const std::invalid_argument& e) {
      CHECK_MESSAGE(std::string(e.what()).find(field) != std::string::npos, e.what());
    }
  };
  for (double bad : {0.0, -0.4, std::nan(""), HUGE_VAL}) {
    WhiteningOptions options;
    options.cutoff_fraction = bad;
    check_field(options, "cutoff_fraction");
    options = WhiteningOptions{};
    options.target_variance = bad;
    check_field(options, "target_variance");
  }
  WhiteningOptions threads;
  threads.threads = -1;
  check_field(threads, "threads");

  CHECK_THROWS_AS(whiten_images({}), std::invalid_argument);
  const Image thin{"thin.png", Matrix<double>::Ones(1, 9)};
  CHECK_THROWS_WITH_AS(whiten_images({thin}), doctest::Contains("thin.png"), std::invalid_argument);
  Image nan = noise_image(4, 4, 9);
  nan.name = "nan.png";
  nan.pixels(1, 2) = std::nan("");
  CHECK_THROWS_WITH_AS(whiten_images({nan}), doctest::Contains("nan.png"), std::invalid_argument);
  const Image flat{"flat.png", Matrix<double>::Constant(6, 6, 0.5)};
  CHECK_THROWS_AS(whiten_images({flat}), std::runtime_error);
}
