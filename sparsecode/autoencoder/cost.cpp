// Sparse autoencoder cost and gradient: chunked forward/backward passes, OpenMP over chunks, fixed-order sums.
#include "sparsecode/autoencoder/cost.hpp"

#include <algorithm>
#include <cstddef>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <omp.h>

#include "sparsecode/autoencoder/activations.hpp"
#include "sparsecode/core/threads.hpp"

namespace sparsecode::autoencoder {

namespace {

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

double clamp_rho_hat(double rho_hat) {
  return std::clamp(rho_hat, kRhoHatEpsilon, 1.0 - kRhoHatEpsilon);
}

/// Weights (reconstruction, λ, β, α) of the terms that evaluate() includes.
struct TermWeights {
  double reconstruction, weight_decay, beta, l1;
};

TermWeights term_weights(const CostOptions& o, CostTerm term) {
  switch (term) {
    case CostTerm::reconstruction: return {1.0, 0.0, 0.0, 0.0};
    case CostTerm::weight_decay: return {0.0, o.weight_decay, 0.0, 0.0};
    case CostTerm::sparsity: return {0.0, 0.0, o.beta, 0.0};
    case CostTerm::l1: return {0.0, 0.0, 0.0, o.l1};
    case CostTerm::all: break;
  }
  return {1.0, o.weight_decay, o.beta, o.l1};
}

}  // namespace

void CostOptions::validate() const {
  if (!(rho > 0.0 && rho < 1.0)) {
    throw std::invalid_argument("autoencoder: rho (target activation) must be in (0, 1), got " +
                                number(rho));
  }
  if (!(beta >= 0.0) || !std::isfinite(beta)) {
    throw std::invalid_argument("autoencoder: beta must be a finite number >= 0, got " +
                                number(beta));
  }
  if (!(weight_decay >= 0.0) || !std::isfinite(weight_decay)) {
    throw std::invalid_argument("autoencoder: weight_decay must be a finite number >= 0, got " +
                                number(weight_decay));
  }
  if (!(l1 >= 0.0) || !std::isfinite(l1)) {
    throw std::invalid_argument("autoencoder: l1 must be a finite number >= 0, got " + number(l1));
  }
  if (threads < 0) {
    throw std::invalid_argument("autoencoder: threads must be >= 0, got " +
                                std::to_string(threads));
  }
}

double kl_divergence(double rho, double rho_hat) {
  const double r = clamp_rho_hat(rho_hat);
  return rho * std::log(rho / r) + (1.0 - rho) * std::log((1.0 - rho) / (1.0 - r));
}

double kl_derivative(double rho, double rho_hat) {
  if (rho_hat < kRhoHatEpsilon || rho_hat > 1.0 - kRhoHatEpsilon) {
    return 0.0;
  }
  return -rho / rho_hat + (1.0 - rho) / (1.0 - rho_hat);
}

Cost::Cost(const Architecture& architecture, const CostOptions& options)
    : architecture_(architecture), options_(options) {
  architecture_.validate();
  options_.validate();
}

void Cost::check_data(const Eigen::Ref<const Matrix<double>>& samples, const char* what) const {
  const std::string name(what);
  if (samples.rows() != architecture_.input_dim) {
    throw std::invalid_argument("autoencoder: " + name + " has dimension " +
                                std::to_string(samples.rows()) + ", the model expects d = " +
                                std::to_string(architecture_.input_dim));
  }
  if (samples.cols() < 1) {
    throw std::invalid_argument("autoencoder: " + name + " has no samples");
  }
  const bool unit_interval = architecture_.decoder == Decoder::sigmoid;
  for (Index j = 0; j < samples.cols(); ++j) {
    for (Index i = 0; i < samples.rows(); ++i) {
      const double v = samples(i, j);
      if (!std::isfinite(v)) {
        throw std::invalid_argument("autoencoder: " + name + " has a non-finite value (" +
                                    number(v) + ") in sample " + std::to_string(j) +
                                    ", component " + std::to_string(i));
      }
      if (unit_interval && (v < 0.0 || v > 1.0)) {
        throw std::invalid_argument(
            "autoencoder: " + name + " must lie in [0, 1] for a sigmoid decoder; sample " +
            std::to_string(j) + ", component " + std::to_string(i) + " is " + number(v) +
            " (rescale the data or use a linear decoder)");
      }
    }
  }
}

double Cost::evaluate(const Vector<double>& theta, const Eigen::Ref<const Matrix<double>>& samples,
                      Vector<double>* gradient, CostTerms* terms, CostTerm term) {
  const Index d = architecture_.input_dim;
  const Index h = architecture_.hidden;
  const Index m = samples.cols();
  const ParameterLayout layout(architecture_);
  if (theta.size() != layout.size) {
    throw std::invalid_argument("autoencoder: parameter vector has length " +
                                std::to_string(theta.size()) + ", expected " +
                                std::to_string(layout.size));
  }
  if (samples.rows() != d || m < 1) {
    throw std::invalid_argument("autoencoder: data must be d×m with d = " + std::to_string(d) +
                                " and m >= 1, got " + std::to_string(samples.rows()) + "×" +
                                std::to_string(m));
  }
  const bool tied = architecture_.tying == Tying::tied;
  const TermWeights w = term_weights(options_, term);
  const Eigen::Map<const Matrix<double>> W1(theta.data() + layout.w1, h, d);
  const Eigen::Map<const Vector<double>> b1(theta.data() + layout.b1, h);
  // Untied: W₂ is its own block; tied: W₂ = W₁ᵀ, read through the transpose of W1's block.
  const Eigen::Map<const Matrix<double>> W2(theta.data() + (tied ? layout.w1 : layout.w2),
                                            tied ? h : d, tied ? d : h);
  const Eigen::Map<const Vector<double>> b2(theta.data() + layout.b2, d);

  const Index chunks = (m + kChunkSize - 1) / kChunkSize;
  hidden_t_.resize(m, h);
  chunk_sums_.resize(h, chunks);
  chunk_errors_.resize(chunks);
  if (gradient != nullptr) {
    chunk_grads_.resize(layout.size, chunks);
  }
  // More threads than chunks would only wait at the barriers.
  const int threads =
      static_cast<int>(std::min<Index>(core::resolve_threads(options_.threads), chunks));
  if (static_cast<int>(workspaces_.size()) < threads) {
    workspaces_.resize(static_cast<std::size_t>(threads));
  }
  const bool sigmoid_hidden = architecture_.activation == Activation::sigmoid;
  const bool sigmoid_decoder = architecture_.decoder == Decoder::sigmoid;
  const core::SingleThreadedBlas single_threaded_blas;

  Vector<double> rho_hat = Vector<double>::Zero(h);
  Vector<double> s(h);
  double l1_sum = 0.0;
  double kl_sum = 0.0;
  // One parallel region (one wake-up of the team per evaluation); static schedules give each
  // thread the same chunks in both loops, so its hidden activations are still in its cache.
#pragma omp parallel num_threads(threads)
  {
    Workspace& ws = workspaces_[static_cast<std::size_t>(omp_get_thread_num())];
    ws.output.resize(d, kChunkSize);
    ws.delta2_t.resize(kChunkSize, h);
    // Forward pass through the encoder, one sample per row: Aᵀ = f(XᵀW₁ᵀ + 1b₁ᵀ). With samples
    // as rows every product below has the chunk length as its long dimension and h or d as the
    // short one, the shapes Eigen's GEMM kernels handle best (h = 25 rows would leave a scalar
    // remainder row). Each hidden unit's column gets its bias, nonlinearity and sum in one pass.
#pragma omp for schedule(static)
    for (Index c = 0; c < chunks; ++c) {
      const Index start = c * kChunkSize;
      const Index n = std::min(kChunkSize, m - start);
      auto At = hidden_t_.middleRows(start, n);
      At.noalias() = samples.middleCols(start, n).transpose() * W1.transpose();
      for (Index j = 0; j < h; ++j) {
        auto a = At.col(j).array();
        if (sigmoid_hidden) {
          a = (1.0 + (-(a + b1[j])).exp()).inverse();
        } else {
          a = (a + b1[j]).cwiseMax(0.0);
        }
        chunk_sums_(j, c) = a.sum();
      }
    }

#pragma omp single
    {
      // ρ̂ and the per-unit sparsity derivative s_j = β KL'(ρ̂_j) + α (α from ∂‖h‖₁/∂h, h ≥ 0).
      // Activations are ≥ 0 for sigmoid and ReLU, so Σ‖h‖₁ is the sum of the unit sums.
      for (Index c = 0; c < chunks; ++c) {
        rho_hat += chunk_sums_.col(c);
      }
      l1_sum = rho_hat.sum();
      rho_hat /= static_cast<double>(m);
      for (Index j = 0; j < h; ++j) {
        kl_sum += kl_divergence(options_.rho, rho_hat[j]);
        s[j] = w.beta * kl_derivative(options_.rho, rho_hat[j]) + w.l1;
      }
    }

    // Decoder forward and the backward pass, chunk by chunk, each into its own accumulator.
    // The accumulator holds ∂J/∂W₁ transposed (d×h), the shape its product comes out in.
#pragma omp for schedule(static)
    for (Index c = 0; c < chunks; ++c) {
      const Index start = c * kChunkSize;
      const Index n = std::min(kChunkSize, m - start);
      const auto Xc = samples.middleCols(start, n);
      const auto At = hidden_t_.middleRows(start, n);
      auto Oc = ws.output.leftCols(n);
      if (tied) {
        Oc.noalias() = W1.transpose() * At.transpose();
      } else {
        Oc.noalias() = W2 * At.transpose();
      }
      double* g = gradient != nullptr ? chunk_grads_.col(c).data() : nullptr;
      // Per sample, while its column is in L1: x̂ = g(z₃), Σ‖x̂ − x‖², δ₃ = (x̂ − x) ⊙ g'(z₃)
      // overwriting x̂, and Σ δ₃ for ∂J/∂b₂.
      Eigen::Map<Vector<double>> gb2(g != nullptr ? g + layout.b2 : ws.output.data(), d);
      if (g != nullptr) {
        gb2.setZero();
      }
      double squared_error = 0.0;
      for (Index i = 0; i < n; ++i) {
        auto o = Oc.col(i).array();
        const auto x = Xc.col(i).array();
        if (sigmoid_decoder) {
          o = (1.0 + (-(o + b2.array())).exp()).inverse();
          squared_error += (o - x).square().sum();
          o = w.reconstruction * (o - x) * o * (1.0 - o);
        } else {
          o = o + b2.array() - x;
          squared_error += o.square().sum();
          o *= w.reconstruction;
        }
        if (g != nullptr) {
          gb2 += o.matrix();
        }
      }
      chunk_errors_[c] = squared_error;
      if (g == nullptr) {
        continue;
      }
      // δ₂ᵀ = (δ₃ᵀW₂ + 1sᵀ) ⊙ f'(z₂)ᵀ, unit by unit, with Σ δ₂ for ∂J/∂b₁.
      auto Dt = ws.delta2_t.topRows(n);
      if (tied) {
        Dt.noalias() = Oc.transpose() * W1.transpose();
      } else {
        Dt.noalias() = Oc.transpose() * W2;
      }
      for (Index j = 0; j < h; ++j) {
        auto delta = Dt.col(j).array();
        const auto a = At.col(j).array();
        if (sigmoid_hidden) {
          delta = (delta + s[j]) * a * (1.0 - a);
        } else {
          delta = (delta + s[j]) * (a > 0.0).template cast<double>();
        }
        g[layout.b1 + j] = delta.sum();
      }
      // (∂J/∂W₁)ᵀ = X δ₂ᵀ (+ δ₃ Hᵀ when tied), ∂J/∂W₂ = δ₃ Hᵀ.
      Eigen::Map<Matrix<double>> gW1t(g + layout.w1, d, h);
      gW1t.noalias() = Xc * Dt;
      if (tied) {
        gW1t.noalias() += Oc * At;
      } else {
        Eigen::Map<Matrix<double>> gW2(g + layout.w2, d, h);
        gW2.noalias() = Oc * At;
      }
    }
  }

  double squared_error = 0.0;
  for (Index c = 0; c < chunks; ++c) {
    squared_error += chunk_errors_[c];
  }
  const double inv_m = 1.0 / static_cast<double>(m);
  const double weight_norm2 =
      W1.squaredNorm() + (tied ? W1.squaredNorm() : W2.squaredNorm());
  CostTerms t;
  t.reconstruction = w.reconstruction * 0.5 * inv_m * squared_error;
  t.weight_decay = 0.5 * w.weight_decay * weight_norm2;
  t.sparsity = w.beta * kl_sum;
  t.l1 = w.l1 * inv_m * l1_sum;
  t.rho_hat = std::move(rho_hat);

  if (gradient != nullptr) {
    gradient_sum_.setZero(layout.size);
    for (Index c = 0; c < chunks; ++c) {
      gradient_sum_ += chunk_grads_.col(c);
    }
    gradient->resize(layout.size);
    *gradient = inv_m * gradient_sum_;
    const Eigen::Map<const Matrix<double>> sum_w1t(gradient_sum_.data() + layout.w1, d, h);
    Eigen::Map<Matrix<double>>(gradient->data() + layout.w1, h, d) = inv_m * sum_w1t.transpose();
    // ∂/∂W of (λ/2)(‖W₁‖² + ‖W₂‖²); tied: λ‖W₁‖², gradient 2λW₁.
    const Index weights = h * d;
    gradient->segment(layout.w1, weights) +=
        (tied ? 2.0 : 1.0) * w.weight_decay * theta.segment(layout.w1, weights);
    if (!tied) {
      gradient->segment(layout.w2, weights) += w.weight_decay * theta.segment(layout.w2, weights);
    }
  }
  const double total = t.total();
  if (terms != nullptr) {
    *terms = std::move(t);
  }
  return total;
}

}  // namespace sparsecode::autoencoder
