// Elementwise nonlinearities of the autoencoder and their derivatives written in terms of the outputs.
#pragma once

#include <Eigen/Core>

#include "sparsecode/autoencoder/model.hpp"

namespace sparsecode::autoencoder {

/// out = σ(z) = 1/(1+e^(−z)) elementwise (in place allowed: out may alias z).
template <class In, class Out>
void apply_sigmoid(const In& z, Out& out) {
  out = (1.0 + (-z.array()).exp()).inverse().matrix();
}

/// out = f(z) for the hidden nonlinearity.
template <class In, class Out>
void apply_activation(Activation activation, const In& z, Out& out) {
  if (activation == Activation::sigmoid) {
    apply_sigmoid(z, out);
  } else {
    out = z.cwiseMax(0.0);
  }
}

/// f'(z) from a = f(z): σ' = a(1−a); ReLU' = 1[a > 0] (0 at the kink, a valid subgradient).
template <class A>
auto activation_derivative(Activation activation, const A& a) {
  using Array = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic>;
  if (activation == Activation::sigmoid) {
    return Array(a.array() * (1.0 - a.array()));
  }
  return Array((a.array() > 0.0).template cast<double>());
}

}  // namespace sparsecode::autoencoder
