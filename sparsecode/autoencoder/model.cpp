// Sparse autoencoder model: parameter layout, UFLDL initialisation, Map views, encoding.
#include "sparsecode/autoencoder/model.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "sparsecode/autoencoder/activations.hpp"
#include "sparsecode/core/random.hpp"

namespace sparsecode::autoencoder {

std::string to_string(Activation activation) {
  return activation == Activation::sigmoid ? "sigmoid" : "relu";
}
std::string to_string(Decoder decoder) {
  return decoder == Decoder::sigmoid ? "sigmoid" : "linear";
}
std::string to_string(Tying tying) { return tying == Tying::tied ? "tied" : "untied"; }

void Architecture::validate() const {
  if (input_dim < 1) {
    throw std::invalid_argument("autoencoder: input dimension d must be >= 1, got " +
                                std::to_string(input_dim));
  }
  if (hidden < 1) {
    throw std::invalid_argument("autoencoder: hidden units h must be >= 1, got " +
                                std::to_string(hidden));
  }
  // 2hd + h + d must fit an Index with room to spare.
  const double count = 2.0 * static_cast<double>(hidden) * static_cast<double>(input_dim) +
                       static_cast<double>(hidden + input_dim);
  if (count > static_cast<double>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("autoencoder: d = " + std::to_string(input_dim) + ", h = " +
                                std::to_string(hidden) + " give too many parameters");
  }
}

ParameterLayout::ParameterLayout(const Architecture& a) {
  const Index weights = a.hidden * a.input_dim;
  w1 = 0;
  b1 = weights;
  w2 = b1 + a.hidden;
  b2 = w2 + (a.tying == Tying::untied ? weights : 0);
  size = b2 + a.input_dim;
}

Index Architecture::parameter_count() const { return ParameterLayout(*this).size; }

Model::Model(const Architecture& architecture) : architecture_(architecture) {
  architecture_.validate();
  theta_ = Vector<double>::Zero(architecture_.parameter_count());
}

void Model::initialize(std::uint64_t seed) {
  const double r = std::sqrt(6.0 / static_cast<double>(architecture_.input_dim +
                                                       architecture_.hidden + 1));
  std::mt19937_64 rng(seed);
  const auto uniform = [&] { return core::uniform_unit(rng); };
  theta_.setZero();
  const ParameterLayout layout(architecture_);
  const Index weights = architecture_.hidden * architecture_.input_dim;
  for (Index i = 0; i < weights; ++i) {
    theta_[layout.w1 + i] = (2.0 * uniform() - 1.0) * r;
  }
  if (architecture_.tying == Tying::untied) {
    for (Index i = 0; i < weights; ++i) {
      theta_[layout.w2 + i] = (2.0 * uniform() - 1.0) * r;
    }
  }
}

void Model::set_parameters(const Vector<double>& theta) {
  if (theta.size() != architecture_.parameter_count()) {
    throw std::invalid_argument("autoencoder: parameter vector has length " +
                                std::to_string(theta.size()) + ", expected " +
                                std::to_string(architecture_.parameter_count()));
  }
  theta_ = theta;
}

Eigen::Map<Matrix<double>> Model::W1() {
  return {theta_.data(), architecture_.hidden, architecture_.input_dim};
}
Eigen::Map<const Matrix<double>> Model::W1() const {
  return {theta_.data(), architecture_.hidden, architecture_.input_dim};
}
Eigen::Map<Vector<double>> Model::b1() {
  return {theta_.data() + ParameterLayout(architecture_).b1, architecture_.hidden};
}
Eigen::Map<const Vector<double>> Model::b1() const {
  return {theta_.data() + ParameterLayout(architecture_).b1, architecture_.hidden};
}
Eigen::Map<Matrix<double>> Model::W2() {
  if (architecture_.tying == Tying::tied) {
    throw std::logic_error("autoencoder: W2() of a tied model (W2 = W1^T)");
  }
  return {theta_.data() + ParameterLayout(architecture_).w2, architecture_.input_dim,
          architecture_.hidden};
}
Eigen::Map<const Matrix<double>> Model::W2() const {
  if (architecture_.tying == Tying::tied) {
    throw std::logic_error("autoencoder: W2() of a tied model (W2 = W1^T)");
  }
  return {theta_.data() + ParameterLayout(architecture_).w2, architecture_.input_dim,
          architecture_.hidden};
}
Eigen::Map<Vector<double>> Model::b2() {
  return {theta_.data() + ParameterLayout(architecture_).b2, architecture_.input_dim};
}
Eigen::Map<const Vector<double>> Model::b2() const {
  return {theta_.data() + ParameterLayout(architecture_).b2, architecture_.input_dim};
}

Matrix<double> Model::decoder_weights() const {
  if (architecture_.tying == Tying::tied) {
    return W1().transpose();
  }
  return W2();
}

Matrix<double> Model::encode(const Matrix<double>& samples) const {
  if (samples.rows() != architecture_.input_dim) {
    throw std::invalid_argument("autoencoder: samples have dimension " +
                                std::to_string(samples.rows()) + ", the model expects d = " +
                                std::to_string(architecture_.input_dim));
  }
  Matrix<double> z = W1() * samples;
  z.colwise() += b1();
  apply_activation(architecture_.activation, z, z);
  return z;
}

Matrix<double> Model::reconstruct(const Matrix<double>& samples) const {
  Matrix<double> out = decoder_weights() * encode(samples);
  out.colwise() += b2();
  if (architecture_.decoder == Decoder::sigmoid) {
    apply_sigmoid(out, out);
  }
  return out;
}

}  // namespace sparsecode::autoencoder
