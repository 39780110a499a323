// Sparse autoencoder cost J(θ) and its gradient: reconstruction, weight decay, KL sparsity, L1 activity.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "sparsecode/autoencoder/model.hpp"

namespace sparsecode::autoencoder {

/// Penalty weights of
///   J = 1/(2m) Σᵢ‖x̂ᵢ − xᵢ‖² + (λ/2)(‖W₁‖²_F + ‖W₂‖²_F) + β Σⱼ KL(ρ‖ρ̂ⱼ) + α (1/m) Σᵢ‖hᵢ‖₁
/// with ρ̂ⱼ = (1/m) Σᵢ hⱼ(xᵢ) the mean activation of hidden unit j over the batch (Ng, CS294A
/// notes, 2011). Biases are not decayed. For tied weights W₂ = W₁ᵀ, so the decay is λ‖W₁‖².
struct CostOptions {
  double rho = 0.01;           ///< ρ, target mean activation, in (0, 1)
  double beta = 3.0;           ///< β ≥ 0, weight of the KL sparsity penalty
  double weight_decay = 1e-4;  ///< λ ≥ 0
  double l1 = 0.0;             ///< α ≥ 0, weight of the L1 activity penalty
  int threads = 0;             ///< OpenMP threads over sample chunks (0 = all cores); no effect on results

  /// Throws std::invalid_argument naming the field and value.
  void validate() const;
};

/// ρ̂ is clamped to [ε, 1 − ε] inside KL (ReLU units can exceed 1, sigmoid units can underflow);
/// where the clamp is active the KL term is constant in ρ̂ and contributes no gradient.
inline constexpr double kRhoHatEpsilon = 1e-10;

/// KL(ρ‖ρ̂) = ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)) with ρ̂ clamped to [ε, 1−ε].
double kl_divergence(double rho, double rho_hat);
/// d KL(ρ‖ρ̂)/dρ̂ = −ρ/ρ̂ + (1−ρ)/(1−ρ̂) (0 where the clamp is active).
double kl_derivative(double rho, double rho_hat);

/// The four weighted terms of J at one θ, and the hidden units' mean activations ρ̂.
struct CostTerms {
  double reconstruction = 0.0;  ///< 1/(2m) Σ‖x̂ − x‖²
  double weight_decay = 0.0;    ///< (λ/2)(‖W₁‖² + ‖W₂‖²)
  double sparsity = 0.0;        ///< β Σⱼ KL(ρ‖ρ̂ⱼ)
  double l1 = 0.0;              ///< α (1/m) Σ‖h‖₁
  Vector<double> rho_hat;       ///< ρ̂ (h), unclamped
  double total() const { return reconstruction + weight_decay + sparsity + l1; }
  double mean_rho_hat() const { return rho_hat.size() > 0 ? rho_hat.mean() : 0.0; }
};

/// Which terms evaluate() includes (for checking each term's gradient on its own).
enum class CostTerm { all, reconstruction, weight_decay, sparsity, l1 };

/// Evaluates J and ∇J in one forward and one backward pass over d×m data (one sample per
/// column). Samples are cut into fixed chunks of kChunkSize columns, processed by OpenMP
/// threads with single-threaded GEMMs; every chunk has its own gradient accumulator and the
/// chunks are summed in chunk order, so results are bit-identical for any thread count.
/// Scratch memory is kept in the object between calls: one Cost must not evaluate
/// concurrently from several threads.
class Cost {
 public:
  static constexpr Index kChunkSize = 512;

  /// Throws std::invalid_argument if the architecture or options are invalid.
  Cost(const Architecture& architecture, const CostOptions& options);

  /// Checks data for this model: d rows, at least one column, finite, and in [0, 1] for a
  /// sigmoid decoder. Throws std::invalid_argument naming `what` and the first bad entry.
  void check_data(const Eigen::Ref<const Matrix<double>>& samples, const char* what = "data") const;

  /// J(θ) on `samples` (not checked here: call check_data once). Writes ∇J into `gradient`
  /// when non-null (resized) and the weighted terms into `terms` when non-null. With `term`
  /// other than all, only that term (with its weight) is evaluated.
  double evaluate(const Vector<double>& theta, const Eigen::Ref<const Matrix<double>>& samples,
                  Vector<double>* gradient, CostTerms* terms = nullptr,
                  CostTerm term = CostTerm::all);

  const Architecture& architecture() const { return architecture_; }
  const CostOptions& options() const { return options_; }

 private:
  Architecture architecture_;
  CostOptions options_;
  /// Per-thread scratch of the backward pass, kept between evaluations.
  struct Workspace {
    Matrix<double> output;    ///< d×chunk: x̂, then δ₃
    Matrix<double> delta2_t;  ///< chunk×h: δ₂ᵀ
  };
  Matrix<double> hidden_t_;        ///< m×h activations of the forward pass, one sample per row
  Matrix<double> chunk_grads_;     ///< parameter_count × chunks, one accumulator per chunk
  Vector<double> chunk_errors_;    ///< per chunk: Σ‖x̂ − x‖²
  Matrix<double> chunk_sums_;      ///< per chunk: Σᵢ hᵢ (h × chunks)
  Vector<double> gradient_sum_;    ///< Σ over chunks of chunk_grads_, in chunk order
  std::vector<Workspace> workspaces_;  ///< one per thread
};

}  // namespace sparsecode::autoencoder
