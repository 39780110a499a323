// Sparse autoencoder model: architecture options and all parameters in one flat vector with Map views.
#pragma once

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "sparsecode/core/types.hpp"

namespace sparsecode::autoencoder {

/// Hidden-unit nonlinearity f: sigmoid 1/(1+e^(−z)) (UFLDL) or ReLU max(0, z).
enum class Activation { sigmoid, relu };
/// Output nonlinearity g: sigmoid (data in [0, 1], as in UFLDL) or identity.
enum class Decoder { sigmoid, linear };
/// Untied: W₂ is its own d×h matrix. Tied: W₂ = W₁ᵀ (only W₁ is stored).
enum class Tying { untied, tied };

std::string to_string(Activation activation);
std::string to_string(Decoder decoder);
std::string to_string(Tying tying);

/// Shape and nonlinearities of the network x ↦ h = f(W₁x + b₁) ↦ x̂ = g(W₂h + b₂).
struct Architecture {
  Index input_dim = 0;   ///< d (≥ 1)
  Index hidden = 0;      ///< h (≥ 1)
  Activation activation = Activation::sigmoid;
  Decoder decoder = Decoder::sigmoid;
  Tying tying = Tying::untied;

  /// Throws std::invalid_argument naming the field (d or h < 1, or too many parameters).
  void validate() const;
  /// Length of the flat parameter vector θ = [W₁ (h×d), b₁ (h), W₂ (d×h, untied only), b₂ (d)],
  /// each matrix column-major.
  Index parameter_count() const;
};

/// A single-hidden-layer autoencoder (Ng, "Sparse autoencoder", CS294A lecture notes, 2011).
/// θ is one contiguous vector so that optimisers work on it directly; W1() … b2() are
/// Eigen::Map views into it (for tied weights W₂ = W₁ᵀ and W2() is not available).
class Model {
 public:
  Model() = default;
  /// Zero parameters; throws std::invalid_argument if the architecture is invalid.
  explicit Model(const Architecture& architecture);

  /// Initialisation of UFLDL: weights uniform in ±√(6/(d+h+1)), biases zero. Reproducible per
  /// seed on every platform (uniforms are built from the raw 64-bit mt19937_64 output).
  void initialize(std::uint64_t seed);

  const Architecture& architecture() const { return architecture_; }
  Vector<double>& parameters() { return theta_; }
  const Vector<double>& parameters() const { return theta_; }
  /// Replaces θ; throws std::invalid_argument if the length is not parameter_count().
  void set_parameters(const Vector<double>& theta);

  Eigen::Map<Matrix<double>> W1();
  Eigen::Map<const Matrix<double>> W1() const;
  Eigen::Map<Vector<double>> b1();
  Eigen::Map<const Vector<double>> b1() const;
  /// Untied only (throws std::logic_error for tied weights; use decoder_weights()).
  Eigen::Map<Matrix<double>> W2();
  Eigen::Map<const Matrix<double>> W2() const;
  Eigen::Map<Vector<double>> b2();
  Eigen::Map<const Vector<double>> b2() const;
  /// W₂ as a d×h matrix for either tying (a copy).
  Matrix<double> decoder_weights() const;

  /// Hidden activations f(W₁X + b₁) of d×N samples (h×N). Throws std::invalid_argument if the
  /// row count is not d.
  Matrix<double> encode(const Matrix<double>& samples) const;
  /// Reconstructions g(W₂ f(W₁X + b₁) + b₂) (d×N).
  Matrix<double> reconstruct(const Matrix<double>& samples) const;

 private:
  Architecture architecture_;
  Vector<double> theta_;
};

/// Offsets of the blocks of θ (see Architecture::parameter_count()).
struct ParameterLayout {
  Index w1 = 0, b1 = 0, w2 = 0, b2 = 0, size = 0;
  explicit ParameterLayout(const Architecture& a);
};

}  // namespace sparsecode::autoencoder
