// Olshausen–Field whitening of whole images through a 2-D FFT (Eigen's FFT module, kissfft backend).
#include "sparsecode/preprocess/whitening.hpp"

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "sparsecode/core/threads.hpp"

namespace sparsecode::preprocess {
namespace {

using Complex = std::complex<double>;

/// 2-D DFT of an H×W array by 1-D transforms of every row, then of every column. Eigen::FFT's
/// forward transform is unscaled and its inverse divides by n (default flags), so inverse()
/// after forward() is the identity. One instance per thread: kissfft caches plans inside.
class Fft2 {
 public:
  Matrix<Complex> forward(const Matrix<double>& x) {
    const Index h = x.rows();
    const Index w = x.cols();
    Matrix<Complex> spectrum(h, w);
    row_in_.resize(static_cast<std::size_t>(w));
    row_out_.resize(static_cast<std::size_t>(w));
    for (Index r = 0; r < h; ++r) {
      for (Index c = 0; c < w; ++c) row_in_[static_cast<std::size_t>(c)] = x(r, c);
      fft_.fwd(row_out_.data(), row_in_.data(), w);
      for (Index c = 0; c < w; ++c) spectrum(r, c) = row_out_[static_cast<std::size_t>(c)];
    }
    column_.resize(static_cast<std::size_t>(h));
    for (Index c = 0; c < w; ++c) {  // columns are contiguous in Eigen's column-major storage
      fft_.fwd(column_.data(), spectrum.col(c).data(), h);
      std::copy(column_.begin(), column_.end(), spectrum.col(c).data());
    }
    return spectrum;
  }

  /// Inverse 2-D DFT, real part (the input spectra here are Hermitian up to rounding).
  Matrix<double> inverse_real(Matrix<Complex> spectrum) {
    const Index h = spectrum.rows();
    const Index w = spectrum.cols();
    column_.resize(static_cast<std::size_t>(h));
    for (Index c = 0; c < w; ++c) {
      fft_.inv(column_.data(), spectrum.col(c).data(), h);
      std::copy(column_.begin(), column_.end(), spectrum.col(c).data());
    }
    Matrix<double> x(h, w);
    row_cin_.resize(static_cast<std::size_t>(w));
    row_out_.resize(static_cast<std::size_t>(w));
    for (Index r = 0; r < h; ++r) {
      for (Index c = 0; c < w; ++c) row_cin_[static_cast<std::size_t>(c)] = spectrum(r, c);
      fft_.inv(row_out_.data(), row_cin_.data(), w);
      for (Index c = 0; c < w; ++c) x(r, c) = row_out_[static_cast<std::size_t>(c)].real();
    }
    return x;
  }

 private:
  Eigen::FFT<double> fft_;
  std::vector<double> row_in_;
  std::vector<Complex> row_cin_;
  std::vector<Complex> row_out_;
  std::vector<Complex> column_;
};

/// Signed frequency of DFT bin k out of n (bins above n/2 are the negative frequencies).
double signed_bin(Index k, Index n) { return static_cast<double>(2 * k <= n ? k : k - n); }

/// R(f) on the H×W DFT grid, f = sqrt((u·N/W)² + (v·N/H)²), N = min(H, W) (see the header).
Matrix<double> filter_gains(Index h, Index w, double cutoff_fraction) {
  const double side = static_cast<double>(std::min(h, w));
  Matrix<double> gains(h, w);
  for (Index c = 0; c < w; ++c) {
    const double fx = signed_bin(c, w) * side / static_cast<double>(w);
    for (Index r = 0; r < h; ++r) {
      const double fy = signed_bin(r, h) * side / static_cast<double>(h);
      gains(r, c) = whitening_gain(std::hypot(fx, fy), side, cutoff_fraction);
    }
  }
  return gains;
}

void check_images(const std::vector<io::Image>& images) {
  if (images.empty()) throw std::invalid_argument("whiten_images: images is empty");
  for (const io::Image& image : images) {
    if (image.pixels.rows() < 2 || image.pixels.cols() < 2) {
      throw std::invalid_argument("whiten_images: image '" + image.name + "' is " +
                                  std::to_string(image.pixels.rows()) + "x" +
                                  std::to_string(image.pixels.cols()) + ", smaller than 2x2");
    }
    if (!image.pixels.allFinite()) {
      throw std::invalid_argument("whiten_images: image '" + image.name +
                                  "' contains a non-finite pixel");
    }
  }
}

}  // namespace

void WhiteningOptions::validate() const {
  if (!std::isfinite(cutoff_fraction) || cutoff_fraction <= 0.0) {
    throw std::invalid_argument("WhiteningOptions::cutoff_fraction must be positive and finite, got " +
                                std::to_string(cutoff_fraction));
  }
  if (!std::isfinite(target_variance) || target_variance <= 0.0) {
    throw std::invalid_argument("WhiteningOptions::target_variance must be positive and finite, got " +
                                std::to_string(target_variance));
  }
  if (threads < 0) {
    throw std::invalid_argument("WhiteningOptions::threads must be >= 0, got " +
                                std::to_string(threads));
  }
}

double whitening_gain(double f, double side, double cutoff_fraction) {
  const double ratio = f / (cutoff_fraction * side);
  const double ratio2 = ratio * ratio;
  return f * std::exp(-ratio2 * ratio2);
}

std::vector<io::Image> whiten_images(const std::vector<io::Image>& images, const WhiteningOptions& options) {
  options.validate();
  check_images(images);
  const auto n = static_cast<std::ptrdiff_t>(images.size());
  std::vector<io::Image> out(images.size());
  // Images are independent and each is whitened by one thread, so the result does not depend on
  // the number of threads. No BLAS is called inside (kissfft is self-contained).
#pragma omp parallel num_threads(core::threads_for_work(options.threads, n))
  {
    Fft2 fft;
    Matrix<double> gains;  // reused while consecutive images share a shape (the usual case)
#pragma omp for schedule(dynamic)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const io::Image& in = images[static_cast<std::size_t>(i)];
      const Matrix<double> centred = in.pixels.array() - in.pixels.mean();
      if (gains.rows() != centred.rows() || gains.cols() != centred.cols()) {
        gains = filter_gains(centred.rows(), centred.cols(), options.cutoff_fraction);
      }
      Matrix<Complex> spectrum = fft.forward(centred);
      spectrum.array() *= gains.array();  // real gain: zero phase
      out[static_cast<std::size_t>(i)] = io::Image{in.name, fft.inverse_real(std::move(spectrum))};
    }
  }
  // One common factor for all images (pooled variance over every pixel, population form), as in
  // Olshausen & Field, so that relative contrast between images is kept. Summed in image order.
  double count = 0.0;
  double sum = 0.0;
  for (const io::Image& image : out) {
    count += static_cast<double>(image.pixels.size());
    sum += image.pixels.sum();
  }
  const double mean = sum / count;
  double squares = 0.0;
  for (const io::Image& image : out) squares += (image.pixels.array() - mean).square().sum();
  const double variance = squares / count;
  if (!(variance > 0.0)) {
    throw std::runtime_error(
        "whiten_images: the whitened images have zero variance (every image is constant)");
  }
  const double scale = std::sqrt(options.target_variance / variance);
  for (io::Image& image : out) image.pixels *= scale;
  return out;
}

}  // namespace sparsecode::preprocess
